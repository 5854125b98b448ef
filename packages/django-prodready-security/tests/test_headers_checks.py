"""Every bad header or CSP report setting is a system-check error naming it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import checks
from django.test import override_settings

# Django 6.1 runs model checks against every database, and the audit log's JSONField
# asks SQLite whether it supports JSON: running all checks needs the test database.
pytestmark = pytest.mark.django_db


def header_check_ids(**overrides: Any) -> list[str]:
    with override_settings(**overrides):
        messages = checks.run_checks()
    return sorted(m.id for m in messages if m.id and m.id.startswith("prodready_security.E06"))


def test_the_defaults_pass() -> None:
    assert header_check_ids() == []


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"PRODREADY_HEADERS_PERMISSIONS_POLICY": {"camera": ["self"]}}, []),
        # Not a dict of lists: prodready.E002 (core) reports the type.
        ({"PRODREADY_HEADERS_PERMISSIONS_POLICY": {"camera": "self"}}, []),
        ({"PRODREADY_HEADERS_PERMISSIONS_POLICY": {"Camera": []}}, ["E060"]),
        ({"PRODREADY_HEADERS_PERMISSIONS_POLICY": {"camera": ["example.com"]}}, ["E060"]),
        ({"PRODREADY_HEADERS_PERMISSIONS_POLICY": {"a": ["x"], "b": ["y"]}}, ["E060", "E060"]),
        ({"PRODREADY_HEADERS_CROSS_ORIGIN_OPENER_POLICY": "same-site"}, ["E061"]),
        ({"PRODREADY_HEADERS_CROSS_ORIGIN_OPENER_POLICY": None}, []),
        ({"PRODREADY_HEADERS_CROSS_ORIGIN_RESOURCE_POLICY": "same-origin-allow"}, ["E062"]),
        ({"PRODREADY_HEADERS_CROSS_ORIGIN_RESOURCE_POLICY": "cross-origin"}, []),
        ({"PRODREADY_HEADERS_CSP_REPORT_MAX_BYTES": 0}, ["E063"]),
        ({"PRODREADY_HEADERS_CSP_REPORT_MAX_BYTES": 10 * 1024 * 1024}, ["E063"]),
        ({"PRODREADY_HEADERS_CSP_REPORT_RATE": "60 a minute"}, ["E064"]),
        ({"PRODREADY_HEADERS_CSP_REPORT_KEEP_DAYS": 0}, ["E065"]),
        ({"PRODREADY_HEADERS_CSP_REPORT_MAX_PER_DAY": 0}, ["E066"]),
    ],
)
def test_bad_settings(overrides: dict[str, Any], expected: list[str]) -> None:
    assert header_check_ids(**overrides) == [f"prodready_security.{e}" for e in expected]


def test_the_message_names_the_setting_and_the_value() -> None:
    with override_settings(PRODREADY_HEADERS_PERMISSIONS_POLICY={"camera": ["example.com"]}):
        [error] = [m for m in checks.run_checks() if m.id == "prodready_security.E060"]
    assert "PRODREADY_HEADERS_PERMISSIONS_POLICY" in error.msg
    assert "'example.com'" in error.msg
    assert "https://" in (error.hint or "")


def test_a_wrongly_typed_setting_is_cores_error() -> None:
    with override_settings(PRODREADY_HEADERS_PERMISSIONS_POLICY=["camera"]):
        messages = checks.run_checks()
    assert [m.id for m in messages] == ["prodready.E002"]
