"""A restore of the database that holds the backup records keeps the records.

Without it, the restored table is the one of the backup's day: the restored backup is
"running" and unverified, later backups are forgotten and health says "no verified
backup yet".
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connections
from django.test import override_settings

from prodready_backup.backups import create_backup, find_backup
from prodready_backup.errors import RefusedError
from prodready_backup.health import BackupAgeCheck
from prodready_backup.lock import target_lock
from prodready_backup.models import BackupRecord
from prodready_backup.record_keeping import RecordKeeper
from prodready_backup.restore import restore_backup
from prodready_backup.targets import get_target
from prodready_backup.verify import verify_backup

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "postgres", "other"]),
    pytest.mark.usefixtures("backup_dir"),
]

RECORDS_IN_POSTGRES = override_settings(
    DATABASE_ROUTERS=["tests.routers.RecordsInPostgres"],
    PRODREADY_BACKUP_DATABASES=["postgres", "other"],
)


def states() -> dict[str, tuple[str, bool | None, str]]:
    return {
        r.backup_id: (r.status, r.verified_ok, r.verified_how) for r in BackupRecord.objects.all()
    }


@pytest.mark.requires_postgres
@RECORDS_IN_POSTGRES
def test_a_postgresql_restore_keeps_every_record_and_its_verification() -> None:
    assert BackupRecord.objects.db == "postgres"
    Group.objects.using("postgres").create(name="in the backup")
    record = create_backup(get_target("db-postgres"))
    assert verify_backup(find_backup(record.backup_id), how="restore").ok
    other = create_backup(get_target("db-other"))
    Group.objects.using("postgres").create(name="after the backup")
    before = states()

    result = restore_backup(record.backup_id, confirm=lambda manifest: True)

    names = sorted(Group.objects.using("postgres").values_list("name", flat=True))
    assert names == ["in the backup"]  # the data is the backup's
    assert result.warnings == []
    after = states()
    assert after == {**before, result.safety_backup_id: ("succeeded", True, "checksum")}
    assert after[record.backup_id] == ("succeeded", True, "restore")
    assert other.backup_id in after
    assert "verified backup is" in (BackupAgeCheck("db-postgres").check() or "")
    # The restored id sequence was moved past the kept records: new runs are recorded.
    later = create_backup(get_target("db-postgres"))
    assert later.pk > max(BackupRecord.objects.exclude(pk=later.pk).values_list("pk", flat=True))


@pytest.mark.requires_postgres
@RECORDS_IN_POSTGRES
def test_a_restore_of_the_records_database_waits_for_other_targets() -> None:
    record = create_backup(get_target("db-postgres"))
    Group.objects.using("postgres").create(name="current")
    with target_lock("db-other"), pytest.raises(RefusedError, match="no other backup may run"):
        restore_backup(record.backup_id, confirm=lambda manifest: True)
    assert Group.objects.using("postgres").filter(name="current").exists()
    assert BackupRecord.objects.count() == 1  # refused before the safety backup


@override_settings(PRODREADY_BACKUP_DATABASES=["default", "other"])
def test_a_sqlite_restore_keeps_the_records_too() -> None:
    record = create_backup(get_target("db-default"))
    assert verify_backup(find_backup(record.backup_id), how="restore").ok
    before = states()
    result = restore_backup(record.backup_id, confirm=lambda manifest: True)
    assert states() == {**before, result.safety_backup_id: ("succeeded", True, "checksum")}


@override_settings(PRODREADY_BACKUP_DATABASES=["default"])
def test_records_are_written_back_into_an_older_table() -> None:
    # A backup made before a migration of this app restores a table without its newer
    # columns: the records are written back without them, and `migrate` adds them.
    record = create_backup(get_target("db-default"))
    keeper = RecordKeeper(get_target("db-default"))
    keeper.save()
    table = BackupRecord._meta.db_table
    with connections["default"].cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(f"ALTER TABLE {table} DROP COLUMN verify_requested_by")
    try:
        assert keeper.write_back() is None
        with connections["default"].cursor() as cursor:
            cursor.execute(f"SELECT backup_id, status FROM {table}")
            assert cursor.fetchall() == [(record.backup_id, "succeeded")]
    finally:
        with connections["default"].cursor() as cursor:
            cursor.execute(
                f"ALTER TABLE {table} ADD COLUMN verify_requested_by varchar(150) "
                "NOT NULL DEFAULT ''"
            )


@override_settings(PRODREADY_BACKUP_DATABASES=["default"])
def test_a_restored_database_without_the_table_is_a_warning() -> None:
    create_backup(get_target("db-default"))
    keeper = RecordKeeper(get_target("db-default"))
    keeper.save()
    table = BackupRecord._meta.db_table
    with connections["default"].cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} RENAME TO moved_away")
    try:
        warning = keeper.write_back()
    finally:
        with connections["default"].cursor() as cursor:
            cursor.execute(f"ALTER TABLE moved_away RENAME TO {table}")
    assert warning is not None
    assert "run `manage.py migrate`, then `manage.py backup verify`" in warning
