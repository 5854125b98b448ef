"""The request analytics store as time series, scored by core's anomaly detector."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import caches
from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings

from prodready import hooks
from prodready.anomalies.detect import detect
from prodready_observability.analytics import series
from prodready_observability.analytics.store import recorder

MINUTE = 31_000_000  # a minute number far from the real clock
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    with override_settings(CACHES=LOCMEM):
        recorder.flush()
        caches["default"].clear()
        yield
        recorder.flush()
        caches["default"].clear()


def traffic(minute: int, requests: int, errors: int, seconds: float = 0.05) -> None:
    for number in range(requests):
        status = 500 if number < errors else 200
        recorder.record("lessons/", status, seconds, now=minute * 60 + 1)
    recorder.flush()


def test_the_store_reads_back_as_per_minute_series() -> None:
    traffic(MINUTE, 40, 2)
    traffic(MINUTE + 1, 10, 0, seconds=0.3)
    traffic(MINUTE + 3, 5, 0)
    # Before the first request: no data; after it, an empty minute counts zero.
    assert list(series.request_rate(MINUTE - 1, MINUTE + 4)) == [
        (MINUTE, 40.0),
        (MINUTE + 1, 10.0),
        (MINUTE + 2, 0.0),
        (MINUTE + 3, 5.0),
    ]
    # The error rate spans two minutes: (2 + 0) / (40 + 10).
    assert list(series.error_rate(MINUTE, MINUTE + 3)) == [
        (MINUTE, 5.0),
        (MINUTE + 1, 4.0),
    ]
    # 10 requests alone are too few for a p95.
    assert list(series.p95_latency(MINUTE, MINUTE + 2)) == [(MINUTE, 50.0)]
    names = [s.name for s in hooks.time_series() if s.name.startswith("observability.")]
    assert names == [
        "observability.request_rate",
        "observability.error_rate",
        "observability.p95_latency",
    ]


@override_settings(PRODREADY_ANALYTICS_CACHE=None)
def test_no_series_without_the_store() -> None:
    assert series.request_series() == []


def test_a_jump_in_server_errors_is_notified_and_flags_the_requests_card(
    notifications,
) -> None:
    for minute in range(MINUTE, MINUTE + 60):
        traffic(minute, 100, 1 + minute % 2)  # 1 or 2 errors in 100
        detect((minute + 1) * 60 + 5)
    assert notifications == []
    for minute in range(MINUTE + 60, MINUTE + 63):
        traffic(minute, 100, 15)
        detect((minute + 1) * 60 + 5)
    (started,) = notifications
    assert started.subject == "Anomaly: Error rate"
    assert started.data["series"] == "observability.error_rate"
    assert started.source == "prodready.anomalies"

    [card] = [c for c in hooks.dashboard_cards(RequestFactory().get("/")) if c.order == 20]
    assert card.context["unusual"] == ["Error rate"]
    assert "Unusual now" in render_to_string(card.template, card.context)
