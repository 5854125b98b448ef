"""The media target refuses, at run time too, a root it must not archive.

Backups run from Celery and cron, where system checks do not: the target applies the
checks' rule itself, with the same message.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core import checks
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import override_settings

from prodready_backup.backups import create_backup, list_backups
from prodready_backup.errors import DumpError, RefusedError
from prodready_backup.models import BackupRecord
from prodready_backup.restore import restore_backup
from prodready_backup.targets import get_target

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "other"]),
    pytest.mark.usefixtures("backup_dir"),
]


def media_at(location: str, **overrides: object):  # type: ignore[no-untyped-def]
    return override_settings(
        STORAGES={"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}},
        MEDIA_ROOT=location,
        PRODREADY_BACKUP_MEDIA=True,
        **overrides,
    )


def check_text(check_id: str) -> str:
    (error,) = [m for m in checks.run_checks() if m.id == check_id]
    return f"{error.msg} {error.hint} ({check_id})"


def test_a_root_holding_the_backups_is_refused_with_the_checks_message(
    backup_dir: Path,
) -> None:
    site = backup_dir.parent
    (site / "settings.py").write_text('SECRET_KEY = "not for a media backup"\n')
    with media_at(str(site)):
        expected = check_text("prodready_backup.E008")
        with pytest.raises(DumpError) as refused:
            create_backup(get_target("media"))
        assert list_backups("media") == []
    assert str(refused.value) == expected
    assert "holds the backup directory" in expected
    record = BackupRecord.objects.get(target="media")
    assert (record.status, record.failed_step, record.error) == ("failed", "dump", expected)


def test_an_empty_media_root_asked_for_is_refused_not_the_working_directory(
    backup_dir: Path,
) -> None:
    with media_at(""):
        expected = check_text("prodready_backup.E007")
        with pytest.raises(DumpError) as refused:
            create_backup(get_target("media"))
        assert list_backups("media") == []
    assert str(refused.value) == expected
    assert str(Path.cwd()) in expected


def test_a_restore_into_a_root_that_became_unsafe_writes_nothing(backup_dir: Path) -> None:
    site = backup_dir.parent
    with media_at(str(site / "media")):
        storages["default"].save("avatars/a.png", ContentFile(b"png"))
        record = create_backup(get_target("media"))
    before = sorted(p for p in site.rglob("*") if "backups" not in p.parts)
    with media_at(str(site)):
        expected = check_text("prodready_backup.E008")
        with pytest.raises(RefusedError) as refused:
            restore_backup(record.backup_id, confirm=lambda m: True, safety_backup=False)
    assert str(refused.value) == expected
    assert sorted(p for p in site.rglob("*") if "backups" not in p.parts) == before
    assert not (site / "avatars").exists()
