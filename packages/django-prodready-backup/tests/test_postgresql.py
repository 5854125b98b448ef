"""PostgreSQL end to end with real pg_dump and pg_restore."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import connections
from django.test import override_settings

from prodready_backup.backups import create_backup, find_backup, list_backups
from prodready_backup.errors import DumpError, IntegrityError, RefusedError
from prodready_backup.models import BackupRecord
from prodready_backup.restore import restore_backup
from prodready_backup.targets import get_target
from prodready_backup.targets.postgresql import PostgresTarget
from prodready_backup.verify import verify_backup

pytestmark = [
    pytest.mark.requires_postgres,
    pytest.mark.django_db(transaction=True, databases=["default", "postgres", "other"]),
    pytest.mark.usefixtures("backup_dir"),
]

WITH_PG = override_settings(PRODREADY_BACKUP_DATABASES=["postgres", "other"])


def groups() -> list[str]:
    return sorted(Group.objects.using("postgres").values_list("name", flat=True))


@pytest.fixture
def backed_up() -> BackupRecord:
    Group.objects.using("postgres").bulk_create(Group(name=f"g{i:03}") for i in range(200))
    with WITH_PG:
        return create_backup(get_target("db-postgres"))


@WITH_PG
def test_round_trip_restores_the_data(backed_up: BackupRecord) -> None:
    Group.objects.using("postgres").filter(name__startswith="g00").delete()
    Group.objects.using("postgres").create(name="after the backup")

    result = restore_backup(backed_up.backup_id, confirm=lambda manifest: True)

    assert groups() == [f"g{i:03}" for i in range(200)]
    assert find_backup(result.safety_backup_id or "").manifest.row_counts["auth_group"] == 191


@WITH_PG
def test_manifest_describes_the_database(backed_up: BackupRecord) -> None:
    manifest = find_backup(backed_up.backup_id).manifest
    assert manifest.engine == "postgresql"
    assert manifest.server_version.startswith(("15", "16", "17", "18"))
    assert manifest.database == connections["postgres"].settings_dict["NAME"]
    assert manifest.row_counts["auth_group"] == 200
    assert "prodready_backup.0001_initial" in manifest.migrations
    assert manifest.source_bytes > manifest.stored_bytes / 2


@WITH_PG
def test_restore_test_uses_a_scratch_database_and_drops_it(backed_up: BackupRecord) -> None:
    result = verify_backup(find_backup(backed_up.backup_id), how="restore")
    assert result.ok, result.problems
    with connections["postgres"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname LIKE 'prodready_verify_%'")
        assert cursor.fetchone()[0] == 0


@WITH_PG
def test_restore_test_notices_missing_rows(
    backed_up: BackupRecord, backup_dir: Path, key: str
) -> None:
    from prodready_backup import crypto, storage
    from prodready_backup.manifest import Manifest

    path = backup_dir / "db-postgres" / f"{backed_up.backup_id}.json"
    manifest = Manifest.from_json(path.read_bytes())
    manifest.row_counts["auth_group"] = 201  # what a dump that lost a row would look like
    manifest.sign(crypto.parse_key(key))  # made so, not altered since
    path.write_bytes(manifest.to_json())
    result = verify_backup(find_backup(backed_up.backup_id), how="restore")
    assert not result.ok
    assert result.problems == [
        "Table auth_group has 200 rows after the restore test; the manifest says 201."
    ]
    assert storage  # imported for the layout it documents


@WITH_PG
def test_sqlite_backup_is_refused_by_postgres_target() -> None:
    record = create_backup(get_target("db-other"))
    with pytest.raises(
        RefusedError, match="sqlite backup and cannot be restored into db-postgres"
    ):
        restore_backup(record.backup_id, target_name="db-postgres", confirm=lambda m: True)


@WITH_PG
def test_corrupt_backup_is_refused_and_data_untouched(
    backed_up: BackupRecord, backup_dir: Path
) -> None:
    path = backup_dir / "db-postgres" / f"{backed_up.backup_id}.backup"
    blob = bytearray(path.read_bytes())
    blob[-40] ^= 0x10
    path.write_bytes(bytes(blob))
    Group.objects.using("postgres").create(name="current")
    with pytest.raises(IntegrityError, match="authentication"):
        restore_backup(backed_up.backup_id, confirm=lambda manifest: True)
    assert "current" in groups()


@WITH_PG
def test_pg_dump_killed_mid_stream_fails_the_backup(backup_dir: Path) -> None:
    # Enough rows that pg_dump is still writing when it is killed.
    with connections["postgres"].cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bulk AS SELECT g, md5(g::text) AS h FROM generate_series(1, 200000) g"
        )
    target = PostgresTarget("postgres")
    original = target.open_dump

    def killing_open_dump():  # type: ignore[no-untyped-def]
        manager = original()
        dump = manager.__enter__()

        inner = dump.chunks

        def chunks():  # type: ignore[no-untyped-def]
            first = True
            for chunk in inner:
                if first:
                    first = False
                    for proc in Path("/proc").iterdir():
                        if proc.name.isdigit() and _is_our_pg_dump(proc):
                            os.kill(int(proc.name), signal.SIGKILL)
                yield chunk

        dump.chunks = chunks()

        class Wrapper:
            def __enter__(self):  # type: ignore[no-untyped-def]
                return dump

            def __exit__(self, *exc):  # type: ignore[no-untyped-def]
                return manager.__exit__(*exc)

        return Wrapper()

    target.open_dump = killing_open_dump  # type: ignore[method-assign]
    try:
        with pytest.raises(DumpError, match="pg_dump failed"):
            create_backup(target)
    finally:
        with connections["postgres"].cursor() as cursor:
            cursor.execute("DROP TABLE bulk")
    record = BackupRecord.objects.get(target="db-postgres")
    assert record.status == "failed"
    assert record.failed_step == "dump"
    assert list_backups("db-postgres") == []
    assert not any((backup_dir / "db-postgres").iterdir())


def _is_our_pg_dump(proc: Path) -> bool:
    try:
        cmdline = (proc / "cmdline").read_bytes().split(b"\0")
        parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return False
    return parent == os.getpid() and cmdline[0].endswith(b"pg_dump")


@WITH_PG
def test_concurrent_backups_of_one_target_do_not_overlap() -> None:
    from prodready_backup.errors import LockHeld
    from prodready_backup.lock import advisory_lock

    with advisory_lock("db-x", alias="postgres"):
        with pytest.raises(LockHeld), advisory_lock("db-x", alias="postgres"):
            pass
        errors: list[Exception] = []

        def other_thread() -> None:
            try:
                with advisory_lock("db-x", alias="postgres"):
                    pass
            except LockHeld as exc:
                errors.append(exc)
            finally:
                connections.close_all()

        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
        assert len(errors) == 1
    with advisory_lock("db-x", alias="postgres"):  # released when the holder leaves
        pass


def test_a_lock_is_free_the_moment_its_holder_leaves() -> None:
    from prodready_backup.lock import _advisory_key, advisory_lock

    key = _advisory_key("db-x")
    with connections["postgres"].cursor() as cursor:
        # The server ends a closed session a moment later: a run that starts at once
        # (the next scheduled target, a retry) must not find the lock still held.
        for _ in range(50):
            with advisory_lock("db-x", alias="postgres"):
                pass
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            assert cursor.fetchone()[0] is True
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


@WITH_PG
def test_restore_leaves_the_database_exactly_as_backed_up(backed_up: BackupRecord) -> None:
    manifest = find_backup(backed_up.backup_id).manifest
    with connections["postgres"].cursor() as cursor:
        # What a later deploy would add: a table, a migration row, a schema, a function.
        cursor.execute("CREATE TABLE added_later (id int PRIMARY KEY)")
        cursor.execute(
            "INSERT INTO django_migrations (app, name, applied) "
            "VALUES ('later', '0001_initial', now())"
        )
        cursor.execute("CREATE SCHEMA reports")
        cursor.execute("CREATE TABLE reports.totals (n int)")
        cursor.execute("CREATE FUNCTION added_fn() RETURNS int LANGUAGE sql AS 'SELECT 1'")
        cursor.execute("CREATE TYPE added_mood AS ENUM ('ok')")
    Group.objects.using("postgres").create(name="after the backup")

    restore_backup(backed_up.backup_id, confirm=lambda manifest: True)

    target = PostgresTarget("postgres")
    facts = target.current_facts()
    assert facts.row_counts == manifest.row_counts  # no table more, none less
    assert facts.migrations == manifest.migrations
    with connections["postgres"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname = 'reports'")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM pg_proc WHERE proname = 'added_fn'")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM pg_type WHERE typname = 'added_mood'")
        assert cursor.fetchone()[0] == 0
    assert groups() == [f"g{i:03}" for i in range(200)]


@WITH_PG
def test_a_restore_that_fails_midway_changes_nothing(
    backed_up: BackupRecord, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prodready_backup import verify
    from prodready_backup.errors import RestoreError

    with connections["postgres"].cursor() as cursor:
        cursor.execute("CREATE TABLE added_later (id int PRIMARY KEY)")
    Group.objects.using("postgres").create(name="after the backup")
    original = verify.read_backup

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        # The restore pass dies after its first piece (a storage gone, a worker killed).
        manager = original(*args, **kwargs)
        if kwargs.get("what") != "restore":
            return manager

        class Failing:
            def __enter__(self):  # type: ignore[no-untyped-def]
                chunks = manager.__enter__()

                def pieces():  # type: ignore[no-untyped-def]
                    yield next(chunks)
                    raise RestoreError("the storage went away")

                return pieces()

            def __exit__(self, *exc):  # type: ignore[no-untyped-def]
                return manager.__exit__(*exc)

        return Failing()

    from prodready_backup import restore

    monkeypatch.setattr(restore, "read_backup", failing)
    with pytest.raises(RestoreError, match="the storage went away"):
        restore_backup(backed_up.backup_id, confirm=lambda manifest: True)

    assert "after the backup" in groups()
    with connections["postgres"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM added_later")
        assert cursor.fetchone()[0] == 0
        cursor.execute("DROP TABLE added_later")
