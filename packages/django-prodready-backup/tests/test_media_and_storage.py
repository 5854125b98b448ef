"""Media backups, and storage failures: a full disk leaves nothing behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import override_settings

from prodready._ci import admins
from prodready_backup.backups import create_backup, find_backup, list_backups
from prodready_backup.errors import TransientBackupError
from prodready_backup.models import BackupRecord
from prodready_backup.restore import restore_backup
from prodready_backup.targets import get_target
from prodready_backup.verify import verify_backup

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "other"]),
    pytest.mark.usefixtures("backup_dir"),
]


@pytest.fixture
def media(tmp_path: Path):  # type: ignore[no-untyped-def]
    location = tmp_path / "media"
    with override_settings(
        STORAGES={
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(location)},
            },
        },
        PRODREADY_BACKUP_MEDIA=True,
    ):
        yield storages["default"]


FILES = {
    "avatars/a.png": b"\x89PNG" + bytes(range(256)) * 10,
    "avatars/nested/b.txt": b"hello",
    "empty.txt": b"",
    "big.bin": bytes(range(256)) * 5000,
}


def test_media_round_trip(media) -> None:  # type: ignore[no-untyped-def]
    for name, data in FILES.items():
        media.save(name, ContentFile(data))
    record = create_backup(get_target("media"))
    info = find_backup(record.backup_id)
    assert info.manifest.row_counts == {
        "files": len(FILES),
        "bytes": sum(len(d) for d in FILES.values()),
    }
    assert verify_backup(info, how="restore").ok

    media.delete("avatars/a.png")
    with media.open("empty.txt", "wb") as changed:
        changed.write(b"changed")
    restore_backup(record.backup_id, confirm=lambda m: True)

    for name, data in FILES.items():
        with media.open(name, "rb") as restored:
            assert restored.read() == data, name


def _full_disk(backup_dir: Path):  # type: ignore[no-untyped-def]
    return override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
            "small": {
                "BACKEND": "tests.storages.QuotaStorage",
                "OPTIONS": {"location": str(backup_dir), "quota": 2048},
            },
        },
        PRODREADY_BACKUP_STORAGE="small",
        PRODREADY_BACKUP_DATABASES=["other"],
    )


def test_full_disk_fails_the_backup_and_leaves_nothing(backup_dir: Path) -> None:
    Group.objects.using("other").bulk_create(Group(name=f"group {i}") for i in range(500))
    with _full_disk(backup_dir):
        with pytest.raises(TransientBackupError, match="No space left"):
            create_backup(get_target("db-other"))
        assert list_backups() == []
    record = BackupRecord.objects.get()
    assert record.status == "failed"
    assert record.failed_step == "upload"
    assert "No space left on device" in record.error
    assert [p for p in backup_dir.rglob("*") if p.is_file()] == []


def test_failure_is_notified_with_target_step_and_error(backup_dir: Path, mailoutbox) -> None:  # type: ignore[no-untyped-def]
    with (
        override_settings(ADMINS=admins("ops@example.com")),
        _full_disk(backup_dir),
        pytest.raises(TransientBackupError),
    ):
        create_backup(get_target("db-other"))
    (mail,) = mailoutbox
    assert "Backup of db-other failed" in mail.subject
    assert "at step 'upload'" in mail.body
    assert "No space left on device" in mail.body
