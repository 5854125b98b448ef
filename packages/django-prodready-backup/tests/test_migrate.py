"""``migrate --backup-first``: a backup before changes, and no migration when it fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.test import override_settings

from prodready_backup.models import BackupRecord

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "other"]),
    pytest.mark.usefixtures("backup_dir"),
]


def tables(alias: str = "other") -> list[str]:
    return connections[alias].introspection.table_names()


@pytest.fixture
def unmigrated():  # type: ignore[no-untyped-def]
    call_command("migrate", "prodready_backup", "zero", database="other", verbosity=0)
    yield
    call_command("migrate", database="other", verbosity=0)


@override_settings(PRODREADY_BACKUP_DATABASES=["other"])
def test_backs_up_before_applying_migrations(unmigrated) -> None:  # type: ignore[no-untyped-def]
    assert "prodready_backup_backuprecord" not in tables()
    call_command("migrate", "--backup-first", database="other", verbosity=0)
    assert "prodready_backup_backuprecord" in tables()
    record = BackupRecord.objects.get()  # recorded in the default database
    assert (record.target, record.status, record.reason) == (
        "db-other",
        "succeeded",
        "before migrate",
    )


@override_settings(PRODREADY_BACKUP_DATABASES=["other"], PRODREADY_BACKUP_BEFORE_MIGRATE=True)
def test_nothing_pending_means_no_backup() -> None:
    call_command("migrate", database="other", verbosity=0)
    assert not BackupRecord.objects.exists()


def test_failed_backup_stops_the_migration(unmigrated, backup_dir: Path) -> None:  # type: ignore[no-untyped-def]
    with (
        override_settings(
            STORAGES={
                "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
                "small": {
                    "BACKEND": "tests.storages.QuotaStorage",
                    "OPTIONS": {"location": str(backup_dir), "quota": 100},
                },
            },
            PRODREADY_BACKUP_STORAGE="small",
            PRODREADY_BACKUP_DATABASES=["other"],
        ),
        pytest.raises(CommandError, match="Not migrating: the backup of db-other failed"),
    ):
        call_command("migrate", "--backup-first", database="other", verbosity=0)
    assert "prodready_backup_backuprecord" not in tables()
