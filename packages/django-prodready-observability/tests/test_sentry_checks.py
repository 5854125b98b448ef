"""System checks name the Sentry setting, what was expected and what was found."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import checks
from django.test import override_settings

from prodready_observability.sentry.checks import check_sentry_settings, sentry_setting_errors
from tests.sentry_capture import DSN


def ids(messages: list[Any]) -> list[str]:
    return [message.id for message in messages]


def test_defaults_pass() -> None:
    assert check_sentry_settings() == []


def test_registered_with_django() -> None:
    with override_settings(PRODREADY_SENTRY_TRACES_SAMPLE_RATE=2.0):
        assert "prodready_observability.E002" in ids(checks.run_checks())


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"PRODREADY_SENTRY_DSN": "not a dsn"}, ["prodready_observability.E001"]),
        (
            {"PRODREADY_SENTRY_DSN": "https://sentry.example.com/1"},
            ["prodready_observability.E001"],
        ),
        (
            {"PRODREADY_SENTRY_DSN": "https://key@sentry.example.com/x"},
            ["prodready_observability.E001"],
        ),
        ({"PRODREADY_SENTRY_TRACES_SAMPLE_RATE": 1.5}, ["prodready_observability.E002"]),
        ({"PRODREADY_SENTRY_TRACES_SAMPLE_RATE": -0.1}, ["prodready_observability.E002"]),
        (
            {
                "PRODREADY_SENTRY_TRACES_SAMPLE_RATE": 0.1,
                "PRODREADY_SENTRY_PROFILE_SESSION_SAMPLE_RATE": 10,
            },
            ["prodready_observability.E003"],
        ),
        ({"PRODREADY_SENTRY_SCRUB_KEYS": ["(unclosed"]}, ["prodready_observability.E004"]),
        ({"PRODREADY_SENTRY_SCRUB_KEYS": ["a|"]}, ["prodready_observability.E004"]),
        ({"PRODREADY_SENTRY_SCRUB_PATTERNS": ["[z-a]"]}, ["prodready_observability.E005"]),
        ({"PRODREADY_SENTRY_SCRUB_PATTERNS": ["x*"]}, ["prodready_observability.E005"]),
        (
            {"PRODREADY_SENTRY_IGNORED_TRANSACTION_PATHS": ["health", "/", "/ok"]},
            ["prodready_observability.E006", "prodready_observability.E006"],
        ),
        (
            {"PRODREADY_SENTRY_PROFILE_SESSION_SAMPLE_RATE": 0.5},
            ["prodready_observability.W001"],
        ),
        (
            {"PRODREADY_SENTRY_HEADER_ALLOWLIST": ["User-Agent", "Authorization", "Cookie"]},
            ["prodready_observability.W002", "prodready_observability.W002"],
        ),
    ],
)
def test_bad_settings(settings: dict[str, Any], expected: list[str]) -> None:
    with override_settings(**settings):
        assert ids(check_sentry_settings()) == expected


@pytest.mark.parametrize(
    "settings",
    [
        {"PRODREADY_SENTRY_DSN": DSN},
        {"PRODREADY_SENTRY_DSN": ""},
        {"PRODREADY_SENTRY_TRACES_SAMPLE_RATE": 0},
        {"PRODREADY_SENTRY_TRACES_SAMPLE_RATE": 1},
        {
            "PRODREADY_SENTRY_TRACES_SAMPLE_RATE": 0.1,
            "PRODREADY_SENTRY_PROFILE_SESSION_SAMPLE_RATE": 1.0,
        },
        {"PRODREADY_SENTRY_PROFILE_SESSION_SAMPLE_RATE": 0.0},
        {
            "PRODREADY_SENTRY_SCRUB_KEYS": [r"^loyalty"],
            "PRODREADY_SENTRY_SCRUB_PATTERNS": [r"acme_\w{32}"],
        },
        {"PRODREADY_SENTRY_IGNORED_TRANSACTION_PATHS": []},
    ],
)
def test_good_settings(settings: dict[str, Any]) -> None:
    with override_settings(**settings):
        assert check_sentry_settings() == []


@pytest.mark.parametrize(
    "settings",
    [
        {"PRODREADY_SENTRY_DSN": 42},
        {"PRODREADY_SENTRY_TRACES_SAMPLE_RATE": "0.1"},
        {"PRODREADY_SENTRY_SCRUB_KEYS": "password"},
        {"PRODREADY_SENTRY_IGNORED_TRANSACTION_PATHS": "/health"},
        {"PRODREADY_SENTRY_HEADER_ALLOWLIST": None},
    ],
)
def test_wrong_types_are_left_to_core(settings: dict[str, Any]) -> None:
    with override_settings(**settings):
        assert check_sentry_settings() == []
        assert "prodready.E002" in ids(checks.run_checks())


def test_messages_state_the_fact_and_hints_the_fix() -> None:
    with override_settings(PRODREADY_SENTRY_TRACES_SAMPLE_RATE=1.5):
        [error] = check_sentry_settings()
    assert (
        error.msg == "PRODREADY_SENTRY_TRACES_SAMPLE_RATE must be between 0.0 and 1.0; found 1.5."
    )
    assert (error.hint or "").startswith(
        "Set PRODREADY_SENTRY_TRACES_SAMPLE_RATE to a share such as 0.1"
    )


def test_a_bad_dsn_is_described_not_printed() -> None:
    dsn = "ftp://key-abc@sentry.example.com/1"
    with override_settings(PRODREADY_SENTRY_DSN=dsn):
        [error] = check_sentry_settings()
    assert "key-abc" not in f"{error.msg} {error.hint}"
    assert "Unsupported scheme 'ftp'" in error.msg


def test_only_errors_stop_sentry_from_starting() -> None:
    with override_settings(PRODREADY_SENTRY_PROFILE_SESSION_SAMPLE_RATE=0.5):
        assert sentry_setting_errors() == []
    with override_settings(PRODREADY_SENTRY_DSN="nope"):
        assert ids(sentry_setting_errors()) == ["prodready_observability.E001"]
