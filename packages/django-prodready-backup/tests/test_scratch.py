"""The restore test's scratch database: its server, its name, and the role's right to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import Group
from django.core import checks
from django.db import connections
from django.test import override_settings

from prodready_backup.backups import create_backup, find_backup
from prodready_backup.progress import Reading
from prodready_backup.targets import get_target
from prodready_backup.verify import verify_backup

pytestmark = [
    pytest.mark.requires_postgres,
    pytest.mark.django_db(transaction=True, databases=["default", "postgres"]),
    pytest.mark.usefixtures("backup_dir"),
]

WITH_PG = override_settings(PRODREADY_BACKUP_DATABASES=["postgres"])
ROLE = "prodready_backup_no_createdb"


def scratch_databases(prefix: str) -> list[str]:
    with connections["postgres"].cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [prefix + "%"])
        return [row[0] for row in cursor.fetchall()]


@WITH_PG
@override_settings(PRODREADY_BACKUP_VERIFY_PREFIX="b14_scratch_")
def test_the_restore_test_names_its_scratch_database_with_the_prefix() -> None:
    Group.objects.using("postgres").create(name="x")
    record = create_backup(get_target("db-postgres"))
    seen: list[str] = []

    def watch(state: object) -> None:
        if isinstance(state, Reading) and state.what == "restore test" and not seen:
            seen.extend(scratch_databases("b14_scratch_"))

    result = verify_backup(find_backup(record.backup_id), progress=watch, progress_every=0)

    assert result.ok, result.problems
    (name,) = seen
    assert len(name) == len("b14_scratch_") + 12
    assert scratch_databases("b14_scratch_") == []  # dropped afterwards


@pytest.fixture
def role_without_createdb() -> Iterator[str]:
    settings = connections["postgres"].settings_dict
    with connections["postgres"].cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {ROLE}")
        cursor.execute(f"CREATE ROLE {ROLE} LOGIN NOCREATEDB")
    user, settings["USER"] = settings["USER"], ROLE
    connections["postgres"].close()
    try:
        yield ROLE
    finally:
        connections["postgres"].close()
        settings["USER"] = user
        with connections["postgres"].cursor() as cursor:
            cursor.execute(f"DROP ROLE IF EXISTS {ROLE}")


@WITH_PG
def test_a_role_that_cannot_create_the_scratch_database_is_a_database_check_error(
    role_without_createdb: str,
) -> None:
    messages = checks.run_checks(databases=["postgres"], tags=[checks.Tags.database])
    (error,) = [m for m in messages if m.id == "prodready_backup.E012"]
    assert f"The role '{role_without_createdb}' of DATABASES['postgres'] cannot create" in (
        error.msg
    )
    # Not run without --database, as Django's own database checks.
    assert "prodready_backup.E012" not in {m.id for m in checks.run_checks()}


@WITH_PG
def test_a_role_with_createdb_passes() -> None:
    messages = checks.run_checks(databases=["postgres"], tags=[checks.Tags.database])
    assert "prodready_backup.E012" not in {m.id for m in messages}
