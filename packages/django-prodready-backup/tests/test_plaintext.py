"""Unencrypted backups: refused in production unless allowed, and refused for restore on a
site with keys unless the restore is told to accept one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core import checks
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from prodready_backup.backups import create_backup, list_backups
from prodready_backup.errors import PlaintextRefused, StepError
from prodready_backup.models import BackupRecord
from prodready_backup.restore import restore_backup
from prodready_backup.targets import get_target

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "other"]),
    pytest.mark.usefixtures("backup_dir"),
]

OTHER = override_settings(PRODREADY_BACKUP_DATABASES=["other"])
NO_KEYS = override_settings(PRODREADY_BACKUP_ENCRYPTION_KEYS=[])
PLAINTEXT_ALLOWED = override_settings(
    PRODREADY_BACKUP_ENCRYPTION_KEYS=[], PRODREADY_BACKUP_ALLOW_PLAINTEXT=True
)


def groups() -> list[str]:
    return sorted(Group.objects.using("other").values_list("name", flat=True))


@pytest.fixture
def plaintext_backup() -> BackupRecord:
    Group.objects.using("other").bulk_create(Group(name=f"g{i}") for i in range(20))
    with OTHER, PLAINTEXT_ALLOWED:
        return create_backup(get_target("db-other"))


@OTHER
def test_a_worker_without_keys_in_production_refuses_like_the_check(backup_dir: Path) -> None:
    with NO_KEYS:
        (error,) = [m for m in checks.run_checks() if m.id == "prodready_backup.E009"]
        with pytest.raises(StepError) as refused:
            create_backup(get_target("db-other"))
        assert list_backups() == []
    expected = f"{error.msg} {error.hint} (prodready_backup.E009)"
    assert str(refused.value) == expected
    record = BackupRecord.objects.get()
    assert (record.status, record.failed_step, record.error) == ("failed", "encrypt", expected)
    assert not list(backup_dir.rglob("*.backup"))


@OTHER
def test_restoring_a_plaintext_backup_on_a_site_with_keys_is_refused(
    plaintext_backup: BackupRecord,
) -> None:
    Group.objects.using("other").create(name="current")
    with pytest.raises(PlaintextRefused, match="The backup is not encrypted, yet this site"):
        restore_backup(plaintext_backup.backup_id, confirm=lambda m: True)
    assert "current" in groups()
    with pytest.raises(CommandError, match="--allow-plaintext") as caught:
        call_command("backup", "restore", plaintext_backup.backup_id, "--yes")
    assert caught.value.returncode == 1
    assert "current" in groups()
    call_command("backup", "restore", plaintext_backup.backup_id, "--yes", "--allow-plaintext")
    assert "current" not in groups()
    assert len(groups()) == 20


@OTHER
def test_a_manifest_claiming_encryption_does_not_pass_a_plaintext_object(
    plaintext_backup: BackupRecord, backup_dir: Path
) -> None:
    # Whoever can write to the storage can write the manifest too: the header decides.
    path = backup_dir / "db-other" / f"{plaintext_backup.backup_id}.json"
    manifest = json.loads(path.read_text())
    manifest.update(encryption="aes-256-gcm", key_id="0123456789abcdef")
    path.write_text(json.dumps(manifest))
    Group.objects.using("other").create(name="current")
    with pytest.raises(PlaintextRefused):
        restore_backup(plaintext_backup.backup_id, confirm=lambda m: True)
    assert "current" in groups()
    assert BackupRecord.objects.count() == 1  # refused before the safety backup


@OTHER
def test_a_site_without_keys_restores_plaintext_backups(plaintext_backup: BackupRecord) -> None:
    Group.objects.using("other").create(name="current")
    with PLAINTEXT_ALLOWED:
        restore_backup(plaintext_backup.backup_id, confirm=lambda m: True)
    assert "current" not in groups()
