"""System checks: the exact ids for each kind of bad setting."""

from __future__ import annotations

import pytest
from django.core import checks
from django.test import override_settings

from prodready_backup.checks import valid_cron
from prodready_backup.crypto import generate_key

KEY = generate_key()


def ids(**overrides: object) -> list[str]:
    with override_settings(**overrides):
        return sorted(m.id or "" for m in checks.run_checks() if m.id)


def test_defaults_pass() -> None:
    assert ids() == []


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"PRODREADY_BACKUP_ENCRYPTION_KEYS": ["short"]}, ["prodready_backup.E001"]),
        ({"PRODREADY_BACKUP_ENCRYPTION_KEYS": ["c2hvcnQ="]}, ["prodready_backup.E001"]),
        ({"PRODREADY_BACKUP_ENCRYPTION_KEYS": [KEY, KEY]}, ["prodready_backup.E006"]),
        ({"PRODREADY_BACKUP_ENCRYPTION_KEYS": [KEY, generate_key()]}, []),
        ({"PRODREADY_BACKUP_STORAGE": "backups"}, ["prodready_backup.E002"]),
        ({"PRODREADY_BACKUP_STORAGE": "default"}, []),
        ({"PRODREADY_BACKUP_SCHEDULE": "daily"}, ["prodready_backup.E003"]),
        ({"PRODREADY_BACKUP_VERIFY_SCHEDULE": "0 25 * * *"}, ["prodready_backup.E003"]),
        ({"PRODREADY_BACKUP_PRUNE_SCHEDULE": ""}, []),
        ({"PRODREADY_BACKUP_DATABASES": ["nope"]}, ["prodready_backup.E004"]),
        (
            {"PRODREADY_BACKUP_MEDIA": True, "PRODREADY_BACKUP_MEDIA_STORAGE": "media"},
            ["prodready_backup.E005"],
        ),
        ({"PRODREADY_BACKUP_COMPRESSION": "lz4"}, ["prodready.E002"]),
        ({"PRODREADY_BACKUP_KEEP_LAST": "3"}, ["prodready.E002"]),
    ],
)
def test_bad_settings_are_reported(overrides: dict[str, object], expected: list[str]) -> None:
    assert ids(**overrides) == expected


def test_key_errors_never_echo_the_key() -> None:
    secret = "x" * 40
    with override_settings(PRODREADY_BACKUP_ENCRYPTION_KEYS=[secret]):
        (message,) = checks.run_checks()
    assert secret not in message.msg
    assert secret not in (message.hint or "")
    assert "PRODREADY_BACKUP_ENCRYPTION_KEYS[0]" in message.msg


def test_unencrypted_backups_are_a_deploy_warning() -> None:
    found = [m.id for m in checks.run_checks(include_deployment_checks=True)]
    assert "prodready_backup.W001" in found
    with override_settings(PRODREADY_BACKUP_ENCRYPTION_KEYS=[KEY]):
        found = [m.id for m in checks.run_checks(include_deployment_checks=True)]
    assert "prodready_backup.W001" not in found


@pytest.mark.parametrize(
    ("cron", "valid"),
    [
        ("0 3 * * *", True),
        ("*/15 * * * *", True),
        ("30 4 1,15 * mon-fri", True),
        ("0 3 * *", False),
        ("60 3 * * *", False),
        ("0 3 * 13 *", False),
        ("@daily", False),
    ],
)
def test_cron_validation(cron: str, valid: bool) -> None:
    assert valid_cron(cron) is valid
