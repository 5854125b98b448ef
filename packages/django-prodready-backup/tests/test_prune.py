"""Pruning real backups in storage, with --dry-run, never the newest verified one."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from prodready_backup.backups import create_backup, list_backups
from prodready_backup.models import BackupRecord
from prodready_backup.prune import prune
from prodready_backup.targets import get_target

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "other"]),
    pytest.mark.usefixtures("backup_dir"),
]

ONLY_LAST = override_settings(
    PRODREADY_BACKUP_DATABASES=["other"],
    PRODREADY_BACKUP_KEEP_LAST=1,
    PRODREADY_BACKUP_KEEP_DAILY=0,
    PRODREADY_BACKUP_KEEP_WEEKLY=0,
    PRODREADY_BACKUP_KEEP_MONTHLY=0,
)


@ONLY_LAST
def test_prune_keeps_the_newest_and_the_newest_verified(backup_dir: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    target = get_target("db-other")
    verified = create_backup(target)
    unverified = [create_backup(target, verify=False) for _ in range(3)]
    newest = unverified[-1]

    call_command("backup", "prune", "--dry-run")
    out = capsys.readouterr().out
    assert "db-other: keep 2, would delete 2" in out
    assert len(list_backups("db-other")) == 4  # a dry run deletes nothing

    (result,) = prune()
    assert sorted(result.plan.keep) == sorted([verified.backup_id, newest.backup_id])
    assert result.plan.keep[verified.backup_id] == ["newest verified"]
    remaining = sorted(i.backup_id for i in list_backups("db-other"))
    assert remaining == sorted([verified.backup_id, newest.backup_id])
    pruned = BackupRecord.objects.filter(pruned_at__isnull=False)
    assert sorted(pruned.values_list("backup_id", flat=True)) == sorted(
        r.backup_id for r in unverified[:2]
    )
    objects = sorted(p.name for p in (backup_dir / "db-other").iterdir())
    assert len(objects) == 4  # two backups, object and manifest each
