"""System checks of the audit log's settings: exact ids, named settings."""

from __future__ import annotations

import pytest
from django.test import override_settings

from prodready.conf import InvalidSetting
from prodready_security.audit.checkpoints import generate_key
from prodready_security.audit.checks import (
    check_audit_database,
    check_checkpoints,
    check_sealing,
    check_tracked_models,
)


def ids(messages: list) -> list[str]:  # type: ignore[type-arg]
    return [message.id for message in messages]


def test_defaults_pass() -> None:
    assert check_audit_database() + check_tracked_models() + check_sealing() == []
    assert check_checkpoints() == []


@override_settings(PRODREADY_AUDIT_DATABASE="audit")
def test_unknown_database_alias() -> None:
    (message,) = check_audit_database()
    assert message.id == "prodready_security.E040"
    assert "PRODREADY_AUDIT_DATABASE is 'audit'" in message.msg


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["auth.User", "auth.Group"], []),
        (["auth.Nope"], ["prodready_security.E041"]),
        (["not a label"], ["prodready_security.E041"]),
        (["prodready_security.AuditEvent"], ["prodready_security.E042"]),
        (["auth.User", "nope.Model", "prodready_security.auditchainhead"],
         ["prodready_security.E041", "prodready_security.E042"]),
    ],
)  # fmt: skip
def test_tracked_models(labels: list[str], expected: list[str]) -> None:
    with override_settings(PRODREADY_AUDIT_TRACKED_MODELS=labels):
        assert ids(check_tracked_models()) == expected


def test_a_wrong_type_is_refused_as_soon_as_it_is_read() -> None:
    # The receivers follow the setting, so reading it on the change already refuses it
    # (at start-up: Django's ready()); manage.py check reports it as prodready.E002.
    expected = "PRODREADY_AUDIT_TRACKED_MODELS must be a list of a string; found str"
    with (
        pytest.raises(InvalidSetting, match=expected),
        override_settings(PRODREADY_AUDIT_TRACKED_MODELS="auth.User"),
    ):
        pass


@pytest.mark.parametrize(
    ("delay", "schedule", "expected"),
    [
        (60, "*/5 * * * *", []),
        (0.5, "", []),
        (0, "* * * * *", ["PRODREADY_AUDIT_SEAL_MAX_DELAY is 0; expected seconds above 0."]),
        (300, "every minute", ["PRODREADY_AUDIT_SEAL_SCHEDULE is 'every minute'; expected a cron "
                               "expression of five fields (minute hour day month weekday)."]),
    ],
)  # fmt: skip
def test_sealing_settings(delay: float, schedule: str, expected: list[str]) -> None:
    with override_settings(
        PRODREADY_AUDIT_SEAL_MAX_DELAY=delay, PRODREADY_AUDIT_SEAL_SCHEDULE=schedule
    ):
        messages = check_sealing()
    assert [message.msg for message in messages] == expected
    assert ids(messages) == ["prodready_security.E043"] * len(expected)


PRIVATE, PUBLIC = generate_key("k1")


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"PRODREADY_AUDIT_CHECKPOINT_KEYS": [PRIVATE],
          "PRODREADY_AUDIT_CHECKPOINT_PUBLIC_KEYS": [PUBLIC],
          "PRODREADY_AUDIT_CHECKPOINT_STORAGE": "default"}, []),
        ({"PRODREADY_AUDIT_CHECKPOINT_KEYS": ["k1:short"]},
         ["PRODREADY_AUDIT_CHECKPOINT_KEYS[0] is not a key: expected '<key id>:<base64 of a "
          "32-byte Ed25519 private key>', got a value starting 'k1:short'."]),
        ({"PRODREADY_AUDIT_CHECKPOINT_PUBLIC_KEYS": [PUBLIC, PRIVATE.replace("k1", "")]},
         ["PRODREADY_AUDIT_CHECKPOINT_PUBLIC_KEYS[1] is not a key: the key has no id "
          "before ':'."]),
        ({"PRODREADY_AUDIT_CHECKPOINT_KEYS": [PRIVATE],
          "PRODREADY_AUDIT_CHECKPOINT_STORAGE": "worm"},
         ["PRODREADY_AUDIT_CHECKPOINT_STORAGE is 'worm', which is not an alias in STORAGES "
          "(default, staticfiles)."]),
        ({"PRODREADY_AUDIT_CHECKPOINT_STORAGE": "default"},
         ["PRODREADY_AUDIT_CHECKPOINT_STORAGE is set but PRODREADY_AUDIT_CHECKPOINT_KEYS is "
          "empty: no checkpoint can be signed."]),
    ],
)  # fmt: skip
def test_checkpoint_settings(settings: dict[str, object], expected: list[str]) -> None:
    with override_settings(**settings):
        messages = check_checkpoints()
    assert [message.msg for message in messages] == expected
    assert ids(messages) == [
        "prodready_security.E045" if "STORAGE is" in text else "prodready_security.E044"
        for text in expected
    ]
