"""Lock-queue protection on MySQL/MariaDB, with real sessions.

An ``ALTER TABLE`` needs an exclusive metadata lock, which waits for every open
transaction that read the table, and every later query on the table queues behind the
waiting ALTER. Waits are observed in the process list with bounded waits, never timed.
"""

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.test import override_settings

from tests.test_safe_migrate_locks import WAIT, Background, until

WITH_MYSQL = "run with --ds=tests.settings_mysql, as nox does"

pytestmark = [
    pytest.mark.requires_mysql,
    pytest.mark.skipif("mysql" not in settings.DATABASES, reason=WITH_MYSQL),
    pytest.mark.django_db(transaction=True, databases=["default", "mysql"]),
]

DEPLOY = {"deploy_app": "tests.deploy_app.deploy_migrations"}


@pytest.fixture(autouse=True)
def lessons():
    with override_settings(
        INSTALLED_APPS=["prodready", "tests.deploy_app"], MIGRATION_MODULES=DEPLOY
    ):
        call_command("migrate", "deploy_app", "0002", database="mysql", verbosity=0)
        with connections["mysql"].cursor() as cursor:
            cursor.executemany(
                "INSERT INTO deploy_app_lesson (title, room) VALUES (%s, 'A')",
                [(f"lesson {i}",) for i in range(500)],
            )
        yield
        call_command("migrate", "deploy_app", "zero", database="mysql", verbosity=0)


@pytest.fixture
def sessions():
    """Opens sessions of their own to the test database; closes them (rolling back, which
    frees a migration or read still waiting when a test failed)."""
    opened = []

    def open_session():
        raw = new_session()
        raw.autocommit(False)
        opened.append(raw)
        return raw

    yield open_session
    for raw in opened:
        raw.close()


def query(raw, sql):
    cursor = raw.cursor()
    cursor.execute(sql)
    return cursor.fetchall()


def new_session():
    wrapper = connections["mysql"]
    return wrapper.get_new_connection(wrapper.get_connection_params())


def read_lessons():
    """A plain read on a session of its own, opened and closed in the reading thread."""
    reader = new_session()
    try:
        return query(reader, "SELECT COUNT(*) FROM deploy_app_lesson")
    finally:
        reader.close()


def waiting(query_start: str) -> bool:
    """Whether a statement starting so waits for a metadata lock."""
    observer = new_session()
    try:
        rows = query(
            observer,
            "SELECT INFO FROM information_schema.PROCESSLIST "
            "WHERE STATE LIKE 'Waiting for table metadata lock'",
        )
    finally:
        observer.close()
    return any((info or "").startswith(query_start) for (info,) in rows)


def columns() -> set[str]:
    with connections["mysql"].cursor() as cursor:
        found = connections["mysql"].introspection.get_table_description(
            cursor, "deploy_app_lesson"
        )
    return {column.name for column in found}


def migrate_to_0003(**kwargs):
    return lambda: call_command(
        "migrate", "deploy_app", "0003", database="mysql", verbosity=0, **kwargs
    )


@override_settings(PRODREADY_MIGRATE_LOCK_TIMEOUT=0)
def test_without_lock_timeout_an_alter_behind_a_long_transaction_blocks_later_reads(sessions):
    long_transaction = sessions()
    query(long_transaction, "SELECT COUNT(*) FROM deploy_app_lesson")  # holds a shared MDL
    migration = Background(migrate_to_0003())
    migration.start()
    until(lambda: waiting("ALTER TABLE"), "the ALTER TABLE waits for its metadata lock")
    read = Background(read_lessons)
    read.start()
    until(lambda: waiting("SELECT COUNT(*)"), "a plain read queues behind the ALTER TABLE")
    long_transaction.commit()
    assert migration.finish().done, migration.error
    assert read.finish().done
    assert "level" in columns()


@override_settings(PRODREADY_MIGRATE_LOCK_TIMEOUT=1, PRODREADY_MIGRATE_LOCK_RETRIES=0)
def test_with_lock_timeout_the_alter_fails_fast_and_lets_reads_through(sessions):
    long_transaction = sessions()
    query(long_transaction, "SELECT COUNT(*) FROM deploy_app_lesson")
    migration = Background(migrate_to_0003())
    migration.start()
    until(lambda: waiting("ALTER TABLE"), "the ALTER TABLE waits for its metadata lock")
    # The long transaction is still open: the read gets through because the ALTER gave up.
    read = Background(read_lessons)
    read.start()
    assert read.finish().done
    migration.finish()
    assert isinstance(migration.error, CommandError)
    message = str(migration.error)
    assert "deploy_app.0003_lesson_level waited 1 s for a lock and gave up 1 time(s)" in message
    assert "nothing of it was applied" in message
    assert "SHOW PROCESSLIST" in message
    long_transaction.rollback()
    assert "level" not in columns()


@override_settings(PRODREADY_MIGRATE_LOCK_TIMEOUT=0.3, PRODREADY_MIGRATE_LOCK_RETRIES=3)
def test_a_migration_that_gave_up_is_retried_once_the_lock_is_free(sessions):
    long_transaction = sessions()
    query(long_transaction, "SELECT COUNT(*) FROM deploy_app_lesson")
    stderr = io.StringIO()
    migration = Background(migrate_to_0003(stderr=stderr))
    migration.start()
    # MySQL counts whole seconds: 0.3 s waits 1 s.
    until(lambda: "waited 0.3 s for a lock" in stderr.getvalue(), "the first attempt gives up")
    assert "retrying in 1 s" in stderr.getvalue()
    long_transaction.commit()
    assert migration.finish().done, migration.error
    assert "level" in columns()


@override_settings(PRODREADY_MIGRATE_LOCK_TIMEOUT=2)
def test_the_session_lock_timeouts_are_restored_after_migrate():
    with connections["mysql"].cursor() as cursor:
        cursor.execute("SELECT @@SESSION.lock_wait_timeout, @@SESSION.innodb_lock_wait_timeout")
        before = cursor.fetchone()
    call_command("migrate", "deploy_app", "0003", database="mysql", verbosity=0)
    with connections["mysql"].cursor() as cursor:
        cursor.execute("SELECT @@SESSION.lock_wait_timeout, @@SESSION.innodb_lock_wait_timeout")
        assert cursor.fetchone() == before
    assert WAIT > 2
