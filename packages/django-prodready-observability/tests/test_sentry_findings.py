"""Readiness findings for Sentry: reported errors, sampled tracing, scrubbing, release."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sentry_sdk
from django.test import override_settings

from prodready import hooks
from prodready_observability.sentry.findings import (
    errors_reported,
    events_scrubbed,
    release_set,
    traces_sampled,
)
from tests.sentry_capture import DSN, CaptureTransport, captured_sentry, reset_sentry


@pytest.fixture
def own_sentry() -> Iterator[None]:
    """Sentry initialised by the project itself, without prodready's callbacks."""
    sentry_sdk.init(dsn=DSN, transport=CaptureTransport())
    yield
    reset_sentry()


def test_every_finding_is_contributed_through_the_hook() -> None:
    found = {f.id for f in hooks.readiness_findings() if f.id.startswith("prodready_obs")}
    assert found == {f"prodready_observability.R00{n}" for n in range(1, 6)}


def test_no_dsn_fails_r001_with_the_fix() -> None:
    finding = errors_reported()
    assert (finding.id, finding.passed, finding.weight) == (
        "prodready_observability.R001",
        False,
        3,
    )
    assert "PRODREADY_SENTRY_DSN" in finding.fix


@override_settings(PRODREADY_SENTRY_DSN=DSN)
def test_a_dsn_passes_r001() -> None:
    assert errors_reported().passed


@pytest.mark.parametrize(("rate", "passed"), [(None, True), (0.1, True), (1.0, False), (1, False)])
def test_full_tracing_fails_r002(rate: float | None, passed: bool) -> None:
    with override_settings(PRODREADY_SENTRY_TRACES_SAMPLE_RATE=rate):
        finding = traces_sampled()
    assert finding.passed is passed
    assert finding.detail == (
        "" if passed else f"PRODREADY_SENTRY_TRACES_SAMPLE_RATE is {rate!r}."
    )


def test_sentry_initialised_by_prodready_passes_r003() -> None:
    assert events_scrubbed().passed  # not running: nothing can leak
    with captured_sentry():
        assert events_scrubbed().passed


def test_sentry_initialised_without_the_scrubber_fails_r003(own_sentry: None) -> None:
    finding = events_scrubbed()
    assert (finding.passed, finding.category, finding.weight) == (False, "security", 3)
    assert errors_reported().passed


def test_release_r004(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SENTRY_RELEASE", raising=False)
    assert not release_set().passed
    with override_settings(PRODREADY_SENTRY_RELEASE="shop@1.0"):
        assert release_set().passed
    monkeypatch.setenv("SENTRY_RELEASE", "shop@1.1")
    assert release_set().passed
