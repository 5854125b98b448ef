"""An unreachable database is one clear line and a retry; a key-less host cannot judge."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from celery import Celery
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.test import override_settings

from prodready.testing import free_port
from prodready_backup import tasks
from prodready_backup.backups import create_backup, find_backup
from prodready_backup.crypto import generate_key
from prodready_backup.errors import DatabaseUnreachable
from prodready_backup.lock import advisory_lock
from prodready_backup.models import BackupRecord
from prodready_backup.targets import get_target
from prodready_backup.verify import verify_backup

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "postgres", "other"]),
    pytest.mark.usefixtures("backup_dir"),
]

WITH_PG = override_settings(PRODREADY_BACKUP_DATABASES=["postgres", "other"])


@pytest.fixture
def postgres_down() -> Iterator[int]:
    """The postgres alias points at a port where nothing listens."""
    settings = connections["postgres"].settings_dict
    port, settings["PORT"] = settings["PORT"], free_port()
    connections["postgres"].close()
    try:
        yield settings["PORT"]
    finally:
        connections["postgres"].close()
        settings["PORT"] = port


@pytest.mark.requires_postgres
@WITH_PG
def test_backup_create_says_in_one_line_which_database_is_unreachable(
    postgres_down: int,
) -> None:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="Backup failed for: db-postgres"):
        call_command("backup", "create", "--target", "db-postgres", stdout=out, stderr=err)
    lines = err.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(
        f"  failed: Cannot connect to the database of db-postgres (127.0.0.1:{postgres_down}): "
    )
    assert "refused" in lines[0].lower()
    record = BackupRecord.objects.get()
    assert (record.status, record.failed_step) == ("failed", "dump")


@pytest.mark.requires_postgres
@WITH_PG
def test_the_task_retries_an_unreachable_database(postgres_down: int) -> None:
    app = Celery("tests", set_as_current=True)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = False
    try:
        tasks.dispatch("backup", "db-postgres")
    finally:
        Celery("idle", set_as_current=True)
    attempts = BackupRecord.objects.filter(target="db-postgres")
    # The first attempt and every retry the policy allows, each recorded as failed.
    assert attempts.count() == 1 + tasks.RETRY["max_retries"]
    assert {r.error.split(" (")[0] for r in attempts} == {
        "Cannot connect to the database of db-postgres"
    }


@pytest.mark.requires_postgres
def test_the_lock_names_its_unreachable_database(postgres_down: int) -> None:
    lock = advisory_lock("db-other", alias="postgres")
    with pytest.raises(DatabaseUnreachable, match="the postgres database, which holds the lock"):
        lock.__enter__()


@override_settings(PRODREADY_BACKUP_DATABASES=["other"])
def test_verify_on_a_host_without_the_key_leaves_the_verdict() -> None:
    Group.objects.using("other").create(name="kept")
    record = create_backup(get_target("db-other"))
    assert record.verified_ok is True
    verified_at = record.verified_at

    with override_settings(PRODREADY_BACKUP_ENCRYPTION_KEYS=[generate_key()]):
        result = verify_backup(find_backup(record.backup_id))
        err = io.StringIO()
        with pytest.raises(CommandError, match="Verification failed for"):
            call_command("backup", "verify", record.backup_id, stdout=io.StringIO(), stderr=err)

    assert result.cannot_verify.startswith("The backup is encrypted with key ")
    assert f"  cannot verify here: {result.cannot_verify}" in err.getvalue().splitlines()
    record.refresh_from_db()
    assert (record.verified_ok, record.verified_at, record.verify_error) == (
        True,
        verified_at,
        "",
    )
    listing = io.StringIO()
    call_command("backup", "list", stdout=listing)
    assert "VERIFY FAILED" not in listing.getvalue()


@pytest.mark.requires_postgres
@override_settings(PRODREADY_BACKUP_DATABASES=["other"])
def test_a_lock_database_that_is_down_is_recorded_and_notified(
    postgres_down: int,
    monkeypatch: pytest.MonkeyPatch,
    prodready_plugin,  # type: ignore[no-untyped-def]
) -> None:
    from prodready.plugins import hookimpl
    from prodready_backup import backups

    notified: list[str] = []

    class Plugin:
        @hookimpl
        def prodready_notify(self, notification) -> None:  # type: ignore[no-untyped-def]
            notified.append(notification.message)

    prodready_plugin(Plugin())
    # The advisory lock, on a PostgreSQL server that is down (ours is the default
    # database's lock when that is PostgreSQL).
    monkeypatch.setattr(backups, "target_lock", lambda name: advisory_lock(name, "postgres"))

    with pytest.raises(DatabaseUnreachable, match="which holds the lock of db-other"):
        create_backup(get_target("db-other"))

    record = BackupRecord.objects.get()
    assert (record.target, record.status, record.failed_step) == ("db-other", "failed", "start")
    assert record.error.startswith("Cannot connect to the postgres database")
    assert notified == [f"The backup of db-other could not start: {record.error}"]
