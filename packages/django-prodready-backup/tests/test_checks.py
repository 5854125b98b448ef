"""System checks: the exact ids for each kind of bad setting."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core import checks
from django.test import override_settings

from prodready_backup.checks import valid_cron
from prodready_backup.crypto import generate_key

KEY = generate_key()
TESTS = Path(__file__).resolve().parent  # where the settings module (tests.settings) is


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
        ({"PRODREADY_BACKUP_ENCRYPTION_KEYS": []}, ["prodready_backup.E009"]),
        ({"PRODREADY_BACKUP_ENCRYPTION_KEYS": [], "DEBUG": True}, []),
        (
            {"PRODREADY_BACKUP_ENCRYPTION_KEYS": [], "PRODREADY_BACKUP_ALLOW_PLAINTEXT": True},
            [],
        ),
        ({"PRODREADY_BACKUP_ALLOW_PLAINTEXT": "yes"}, ["prodready.E002"]),
        ({"PRODREADY_BACKUP_REQUEST_COOLDOWN": 1.5}, ["prodready.E002"]),
        ({"PRODREADY_BACKUP_VERIFY_DATABASE": "nope"}, ["prodready_backup.E010"]),
        ({"PRODREADY_BACKUP_VERIFY_DATABASE": "other"}, ["prodready_backup.E010"]),
        ({"PRODREADY_BACKUP_VERIFY_DATABASE": "postgres"}, []),
        ({"PRODREADY_BACKUP_VERIFY_PREFIX": "Verify-"}, ["prodready_backup.E011"]),
        ({"PRODREADY_BACKUP_VERIFY_PREFIX": "x" * 52}, ["prodready_backup.E011"]),
        ({"PRODREADY_BACKUP_VERIFY_PREFIX": "scratch_"}, []),
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


@pytest.mark.parametrize(
    "overrides", [{"DEBUG": True}, {"PRODREADY_BACKUP_ALLOW_PLAINTEXT": True}]
)
def test_unencrypted_backups_are_a_deploy_warning_where_allowed(
    overrides: dict[str, object],
) -> None:
    with override_settings(PRODREADY_BACKUP_ENCRYPTION_KEYS=[], **overrides):
        found = [m.id for m in checks.run_checks(include_deployment_checks=True)]
    assert "prodready_backup.W001" in found
    with override_settings(PRODREADY_BACKUP_ENCRYPTION_KEYS=[KEY], **overrides):
        found = [m.id for m in checks.run_checks(include_deployment_checks=True)]
    assert "prodready_backup.W001" not in found


def test_unencrypted_backups_in_production_are_an_error_saying_how_to_fix_it() -> None:
    with override_settings(PRODREADY_BACKUP_ENCRYPTION_KEYS=[]):
        found = checks.run_checks(include_deployment_checks=True)
    (error,) = [m for m in found if m.id and m.id.startswith("prodready_backup.")]
    assert error.id == "prodready_backup.E009"  # the error, without the warning beside it
    assert "DEBUG is False and PRODREADY_BACKUP_ENCRYPTION_KEYS is empty" in error.msg
    assert "PRODREADY_BACKUP_ALLOW_PLAINTEXT = True" in (error.hint or "")


def file_media(root: object, **overrides: object) -> dict[str, object]:
    """Settings with media files in a FileSystemStorage at MEDIA_ROOT ``root``."""
    return {
        "STORAGES": {
            **settings.STORAGES,
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        },
        "MEDIA_ROOT": root,
        **overrides,
    }


def media_ids(root: object, **overrides: object) -> list[str]:
    return [i for i in ids(**file_media(root, **overrides)) if i.startswith("prodready_backup")]


def test_a_media_root_of_uploads_passes(tmp_path: Path) -> None:
    assert media_ids(tmp_path / "media", PRODREADY_BACKUP_MEDIA=None) == []
    assert media_ids(tmp_path / "media", PRODREADY_BACKUP_MEDIA=True) == []


@pytest.mark.parametrize("root", ["", "."])
def test_an_empty_media_root_turns_the_media_target_off_unless_asked_for(root: str) -> None:
    from prodready_backup.targets import all_targets

    # As after `startproject`: MEDIA_ROOT is "" and nobody asked for media backups.
    assert media_ids(root, PRODREADY_BACKUP_MEDIA=None) == []
    with override_settings(**file_media(root, PRODREADY_BACKUP_MEDIA=None)):
        assert "media" not in [t.name for t in all_targets()]
    with override_settings(**file_media(root, PRODREADY_BACKUP_MEDIA=True)):
        (error,) = [m for m in checks.run_checks() if m.id == "prodready_backup.E007"]
    assert "MEDIA_ROOT is empty" in error.msg
    assert str(Path.cwd()) in error.msg
    assert "PRODREADY_BACKUP_MEDIA = False" in (error.hint or "")


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("the project", "is the project directory (BASE_DIR"),
        ("above the project", "holds the project directory (BASE_DIR"),
        ("the settings' folder", "holds the settings module tests.settings"),
        ("the database's folder", "holds the database file of DATABASES['default']"),
        ("the backup directory", "is the backup directory"),
        ("above the backups", "holds the backup directory"),
        ("inside the backups", "lies inside the backup directory"),
    ],
)
def test_a_media_root_holding_what_it_must_not_is_an_error(where: str, expected: str) -> None:
    # Paths that need not exist, apart from the tests and the temporary directory.
    project = Path("/srv/prodready-backup-tests/site")
    backups = project / "var" / "backups"
    root = {
        "the project": project,
        "above the project": project.parent,
        "the settings' folder": TESTS,
        "the database's folder": Path(settings.DATABASES["default"]["NAME"]).parent,
        "the backup directory": backups,
        "above the backups": backups.parent,
        "inside the backups": backups / "media",
    }[where]
    overrides = {"BASE_DIR": project, "PRODREADY_BACKUP_DIRECTORY": str(backups)}
    # Whether media backups were asked for or are on by default, it is an error.
    for media in (None, True):
        with override_settings(**file_media(root, PRODREADY_BACKUP_MEDIA=media, **overrides)):
            found = [m for m in checks.run_checks() if m.id and "prodready_backup" in m.id]
        assert [m.id for m in found] == ["prodready_backup.E008"], where
        assert expected in found[0].msg
        assert str(root.resolve()) in found[0].msg
    assert media_ids(root, PRODREADY_BACKUP_MEDIA=False, **overrides) == []


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
