"""MySQL/MariaDB end to end with the real dump tool and client, against the real server."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core import checks
from django.db import connections
from django.test import override_settings

from prodready_backup.backups import create_backup, find_backup
from prodready_backup.errors import DumpError, IntegrityError, RefusedError, RestoreError
from prodready_backup.models import BackupRecord
from prodready_backup.restore import restore_backup
from prodready_backup.targets import get_target
from prodready_backup.targets.mysql import MysqlTarget
from prodready_backup.verify import verify_backup

pytestmark = [
    pytest.mark.requires_mysql,
    pytest.mark.django_db(transaction=True, databases=["default", "mysql", "other"]),
    pytest.mark.usefixtures("backup_dir"),
]

WITH_MYSQL = override_settings(PRODREADY_BACKUP_DATABASES=["mysql", "other"])


def groups() -> list[str]:
    return sorted(Group.objects.using("mysql").values_list("name", flat=True))


def execute(*statements: str) -> list[tuple[object, ...]]:
    with connections["mysql"].cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
        return list(cursor.fetchall())


def scratch_databases() -> list[tuple[object, ...]]:
    return execute("SHOW DATABASES LIKE 'prodready\\_verify\\_%'")


@pytest.fixture
def backed_up() -> BackupRecord:
    Group.objects.using("mysql").bulk_create(Group(name=f"g{i:03}") for i in range(200))
    # Strings the dump must quote and escape, counted as one row each.
    Group.objects.using("mysql").create(name="it's a ),( row\\ with\nnewline")
    execute(
        "CREATE VIEW group_names AS SELECT name FROM auth_group",
        "CREATE TABLE audit (id INT AUTO_INCREMENT PRIMARY KEY, what VARCHAR(200))",
        "CREATE TRIGGER group_added AFTER INSERT ON auth_group FOR EACH ROW "
        "INSERT INTO audit (what) VALUES (NEW.name)",
        "CREATE PROCEDURE group_total() SELECT COUNT(*) FROM auth_group",
    )
    with WITH_MYSQL:
        return create_backup(get_target("db-mysql"))


@pytest.fixture(autouse=True)
def _drop_objects():
    yield
    execute(
        "DROP TRIGGER IF EXISTS group_added",
        "DROP VIEW IF EXISTS group_names",
        "DROP TABLE IF EXISTS audit",
        "DROP TABLE IF EXISTS added_later",
        "DROP PROCEDURE IF EXISTS group_total",
    )


@WITH_MYSQL
def test_manifest_counts_the_rows_of_the_dump(backed_up: BackupRecord) -> None:
    manifest = find_backup(backed_up.backup_id).manifest
    assert manifest.engine == "mysql"
    assert "MariaDB" in manifest.server_version or manifest.server_version[0].isdigit()
    assert manifest.database == connections["mysql"].settings_dict["NAME"]
    assert manifest.row_counts["auth_group"] == 201
    assert manifest.row_counts["audit"] == 0
    assert "group_names" not in manifest.row_counts  # a view, not a table
    assert manifest.row_counts == MysqlTarget("mysql").current_facts().row_counts
    assert "prodready_backup.0001_initial" in manifest.migrations
    assert manifest.migrations == MysqlTarget("mysql").current_facts().migrations


@WITH_MYSQL
def test_restore_leaves_the_database_exactly_as_backed_up(backed_up: BackupRecord) -> None:
    manifest = find_backup(backed_up.backup_id).manifest
    execute(
        "CREATE TABLE added_later (id INT PRIMARY KEY)",
        "INSERT INTO django_migrations (app, name, applied) VALUES ('later', '0001', NOW())",
        "DROP VIEW group_names",
        "DROP PROCEDURE group_total",
    )
    Group.objects.using("mysql").filter(name__startswith="g00").delete()
    Group.objects.using("mysql").create(name="after the backup")

    result = restore_backup(backed_up.backup_id, confirm=lambda manifest: True)

    facts = MysqlTarget("mysql").current_facts()
    assert facts.row_counts == manifest.row_counts  # no table more (added_later), none less
    assert facts.migrations == manifest.migrations
    assert "after the backup" not in groups()
    assert len(groups()) == 201
    assert execute("SELECT COUNT(*) FROM group_names") == [(201,)]
    assert execute("CALL group_total()") == [(201,)]
    Group.objects.using("mysql").create(name="fires the restored trigger")
    assert execute("SELECT what FROM audit") == [("fires the restored trigger",)]
    assert scratch_databases() == []
    safety = find_backup(result.safety_backup_id or "").manifest
    assert safety.row_counts["added_later"] == 0


@WITH_MYSQL
def test_restore_test_uses_a_scratch_database_and_drops_it(backed_up: BackupRecord) -> None:
    result = verify_backup(find_backup(backed_up.backup_id), how="restore")
    assert result.ok, result.problems
    assert scratch_databases() == []


@WITH_MYSQL
def test_a_restore_that_fails_midway_changes_nothing(
    backed_up: BackupRecord, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prodready_backup import restore

    execute("CREATE TABLE added_later (id INT PRIMARY KEY)")
    Group.objects.using("mysql").create(name="after the backup")
    original = restore.read_backup

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

    monkeypatch.setattr(restore, "read_backup", failing)
    with pytest.raises(RestoreError, match="the storage went away"):
        restore_backup(backed_up.backup_id, confirm=lambda manifest: True)

    assert "after the backup" in groups()
    assert execute("SELECT COUNT(*) FROM added_later") == [(0,)]
    assert scratch_databases() == []


@WITH_MYSQL
def test_a_dump_the_server_rejects_changes_nothing(backed_up: BackupRecord) -> None:
    execute("CREATE TABLE added_later (id INT PRIMARY KEY)")
    target = MysqlTarget("mysql")
    with pytest.raises(RestoreError, match="the database was not touched"):
        # Loaded straight into the live database, the first statement would drop a table.
        target.restore([b"DROP TABLE IF EXISTS added_later;\nTHIS IS NOT SQL;\n"])
    assert execute("SELECT COUNT(*) FROM added_later") == [(0,)]
    assert len(groups()) == 201
    assert scratch_databases() == []


@WITH_MYSQL
def test_corrupt_backup_is_refused_and_data_untouched(
    backed_up: BackupRecord, backup_dir: Path
) -> None:
    path = backup_dir / "db-mysql" / f"{backed_up.backup_id}.backup"
    blob = bytearray(path.read_bytes())
    blob[-40] ^= 0x10
    path.write_bytes(bytes(blob))
    Group.objects.using("mysql").create(name="current")
    with pytest.raises(IntegrityError, match="authentication"):
        restore_backup(backed_up.backup_id, confirm=lambda manifest: True)
    assert "current" in groups()


@WITH_MYSQL
def test_another_targets_object_is_refused(backed_up: BackupRecord, backup_dir: Path) -> None:
    other = create_backup(get_target("db-other"))
    with pytest.raises(RefusedError, match="sqlite backup and cannot be restored into db-mysql"):
        restore_backup(other.backup_id, target_name="db-mysql", confirm=lambda m: True)
    # The other backup's object under this backup's manifest: bound to its own identity.
    (backup_dir / "db-mysql" / f"{backed_up.backup_id}.backup").write_bytes(
        (backup_dir / "db-other" / f"{other.backup_id}.backup").read_bytes()
    )
    Group.objects.using("mysql").create(name="current")
    with pytest.raises(IntegrityError):
        restore_backup(backed_up.backup_id, confirm=lambda manifest: True)
    assert "current" in groups()


@WITH_MYSQL
@override_settings(PRODREADY_BACKUP_MYSQLDUMP="/nonexistent/mariadb-dump")
def test_a_missing_dump_tool_is_a_clear_error_and_a_system_check() -> None:
    with pytest.raises(DumpError, match="PRODREADY_BACKUP_MYSQLDUMP"):
        create_backup(get_target("db-mysql"))
    errors = [m for m in checks.run_checks() if m.id == "prodready_backup.E013"]
    assert len(errors) == 1
    assert "'/nonexistent/mariadb-dump' (PRODREADY_BACKUP_MYSQLDUMP)" in errors[0].msg


@pytest.fixture
def password_user() -> tuple[str, str]:
    user, password = "prodready_pw_test", "s3cret-never-on-argv"
    database = connections["mysql"].settings_dict["NAME"]
    execute(
        f"CREATE USER IF NOT EXISTS '{user}'@'%' IDENTIFIED BY '{password}'",
        f"GRANT ALL ON `{database}`.* TO '{user}'@'%'",
    )
    yield user, password
    execute(f"DROP USER IF EXISTS '{user}'@'%'")


def test_credentials_reach_the_dump_tool_in_a_private_file_only(
    password_user: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    user, password = password_user
    started: list[tuple[list[str], object]] = []
    real_popen = subprocess.Popen

    def watching(command, *args, **kwargs):  # type: ignore[no-untyped-def]
        started.append((list(command), kwargs.get("env")))
        option_file = Path(command[1].split("=", 1)[1])
        assert option_file.stat().st_mode & 0o077 == 0  # readable by its owner only
        return real_popen(command, *args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", watching)

    class AsUser(MysqlTarget):
        def _settings(self):  # type: ignore[no-untyped-def]
            return {**super()._settings(), "USER": user, "PASSWORD": password}

    with AsUser("mysql").open_dump() as dump:
        assert b"CREATE TABLE" in b"".join(dump.chunks)
    ((command, env),) = started
    assert command[1].startswith("--defaults-extra-file=")
    assert not Path(command[1].split("=", 1)[1]).exists()  # removed afterwards
    assert password not in " ".join(command)
    assert env is None  # nor MYSQL_PWD
