"""A restore whose manifest counts one row more than the backup holds, for the tests of
the row-count comparison after a restore (every engine makes it)."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.models import Group

from prodready_backup import crypto
from prodready_backup.backups import create_backup
from prodready_backup.manifest import Manifest
from prodready_backup.models import BackupRecord
from prodready_backup.restore import RestoreResult, restore_backup
from prodready_backup.targets import get_target


def restore_with_a_row_lost(
    alias: str, target: str, folder: Path, key: str
) -> tuple[BackupRecord, RestoreResult]:
    """Back up ten groups of ``alias``, re-sign the manifest to say eleven (what a dump
    that lost a row would look like), and restore it."""
    Group.objects.using(alias).bulk_create(Group(name=f"a{i}") for i in range(10))
    record = create_backup(get_target(target))
    path = folder / target / f"{record.backup_id}.json"
    manifest = Manifest.from_json(path.read_bytes())
    manifest.row_counts["auth_group"] = 11
    manifest.sign(crypto.parse_key(key))
    path.write_bytes(manifest.to_json())
    return record, restore_backup(record.backup_id)


def lost_row_warning(result: RestoreResult) -> str:
    return (
        "After the restore, 1 table(s) differ from the backup's manifest: auth_group has 10 "
        f"rows (the manifest says 11). Backup {result.safety_backup_id} holds the data "
        "from before."
    )
