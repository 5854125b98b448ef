"""The dangers are real, and the protections work, on PostgreSQL with real sessions.

Blocking is observed in pg_locks / pg_stat_activity with bounded waits, never timed.
"""

import io
import threading
import time

import pytest
from django.contrib.postgres.operations import AddIndexConcurrently
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections, migrations, models
from django.db.migrations.loader import MigrationLoader
from django.test import override_settings

pytestmark = [
    pytest.mark.requires_postgres,
    pytest.mark.django_db(transaction=True, databases=["default", "postgres"]),
]

DEPLOY = {"deploy_app": "tests.deploy_app.deploy_migrations"}
WAIT = 20  # seconds: the bound of every wait; a pass never takes it


@pytest.fixture(autouse=True)
def lessons():
    with override_settings(
        INSTALLED_APPS=["prodready", "tests.deploy_app"], MIGRATION_MODULES=DEPLOY
    ):
        call_command("migrate", "deploy_app", "0002", database="postgres", verbosity=0)
        with connections["postgres"].cursor() as cursor:
            cursor.execute(
                "INSERT INTO deploy_app_lesson (title, room) "
                "SELECT 'lesson ' || i, 'A' FROM generate_series(1, 500) i"
            )
        yield
        call_command("migrate", "deploy_app", "zero", database="postgres", verbosity=0)


def session(autocommit=False):
    """A connection of its own to the test database (not Django's, not this thread's)."""
    wrapper = connections["postgres"]
    raw = wrapper.get_new_connection(wrapper.get_connection_params())
    raw.autocommit = autocommit
    return raw


@pytest.fixture
def sessions():
    """Opens sessions for a test and closes them (rolling back what they left open)."""
    opened = []

    def open_session(autocommit=False):
        opened.append(session(autocommit))
        return opened[-1]

    yield open_session
    for raw in opened:
        raw.close()


def pid(raw) -> int:
    return raw.execute("SELECT pg_backend_pid()").fetchone()[0]


def until(predicate, what):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"not within {WAIT} s: {what}")


def waiting_for_lock(pid_: int) -> bool:
    with session(autocommit=True) as observer:
        row = observer.execute(
            "SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted", [pid_]
        ).fetchone()
    return row[0] > 0


def lock_waiter(query_start: str) -> int | None:
    with session(autocommit=True) as observer:
        row = observer.execute(
            "SELECT pid FROM pg_stat_activity WHERE query LIKE %s AND wait_event_type = 'Lock'",
            [query_start + "%"],
        ).fetchone()
    return row[0] if row else None


def running(query_start: str) -> bool:
    with session(autocommit=True) as observer:
        row = observer.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE query LIKE %s AND state = 'active'",
            [query_start + "%"],
        ).fetchone()
    return row[0] > 0


class Background(threading.Thread):
    """Runs ``work`` in a thread with its own Django connection; keeps its outcome."""

    def __init__(self, work):
        super().__init__(daemon=True)
        self.work, self.error, self.done = work, None, False

    def run(self):
        try:
            self.work()
            self.done = True
        except BaseException as exc:  # reported by the test
            self.error = exc
        finally:
            connections.close_all()

    def finish(self):
        self.join(WAIT)
        assert not self.is_alive(), "still running"
        return self


def columns() -> set[str]:
    with connections["postgres"].cursor() as cursor:
        found = connections["postgres"].introspection.get_table_description(
            cursor, "deploy_app_lesson"
        )
    return {column.name for column in found}


def migrate_to_0003(**kwargs):
    return lambda: call_command(
        "migrate", "deploy_app", "0003", database="postgres", verbosity=0, **kwargs
    )


def read_lessons(reader):
    return lambda: reader.execute("SELECT count(*) FROM deploy_app_lesson").fetchone()


@override_settings(PRODREADY_MIGRATE_LOCK_TIMEOUT=0)
def test_without_lock_timeout_an_alter_behind_a_long_transaction_blocks_later_reads(sessions):
    long_transaction, reader = sessions(), sessions(autocommit=True)
    reader_pid = pid(reader)
    long_transaction.execute("SELECT count(*) FROM deploy_app_lesson")  # holds ACCESS SHARE
    migration = Background(migrate_to_0003())
    migration.start()
    until(lambda: lock_waiter("ALTER TABLE") is not None, "the ALTER TABLE waits for its lock")
    read = Background(read_lessons(reader))
    read.start()
    until(lambda: waiting_for_lock(reader_pid), "a plain read queues behind the ALTER TABLE")
    assert read.is_alive()
    long_transaction.commit()
    assert migration.finish().done
    assert read.finish().done
    assert "level" in columns()


@override_settings(PRODREADY_MIGRATE_LOCK_TIMEOUT=0.5, PRODREADY_MIGRATE_LOCK_RETRIES=0)
def test_with_lock_timeout_the_alter_fails_fast_and_lets_reads_through(sessions):
    long_transaction, reader = sessions(), sessions(autocommit=True)
    long_transaction.execute("SELECT count(*) FROM deploy_app_lesson")
    migration = Background(migrate_to_0003())
    migration.start()
    until(lambda: lock_waiter("ALTER TABLE") is not None, "the ALTER TABLE waits for its lock")
    read = Background(read_lessons(reader))
    read.start()
    # The long transaction is still open: the read gets through because the ALTER gave up.
    assert read.finish().done
    migration.finish()
    assert isinstance(migration.error, CommandError)
    assert "deploy_app.0003_lesson_level waited 0.5 s for a lock and gave up 1 time(s)" in str(
        migration.error
    )
    long_transaction.rollback()
    assert "level" not in columns()


@override_settings(PRODREADY_MIGRATE_LOCK_TIMEOUT=0.3, PRODREADY_MIGRATE_LOCK_RETRIES=3)
def test_a_migration_that_gave_up_is_retried_once_the_lock_is_free(sessions):
    long_transaction = sessions()
    long_transaction.execute("SELECT count(*) FROM deploy_app_lesson")
    stderr = io.StringIO()
    migration = Background(migrate_to_0003(stderr=stderr))
    migration.start()
    until(lambda: "retrying in 1 s" in stderr.getvalue(), "the first attempt gives up")
    long_transaction.commit()
    assert migration.finish().done, migration.error
    assert "level" in columns()


SLOW = models.Index(
    models.Func(models.F("title"), function="prodready_test_slow"), name="slow_idx"
)


@pytest.fixture
def slow_index_function():
    """An index expression that takes 10 ms a row, so a build lasts long enough to watch."""
    with connections["postgres"].cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION prodready_test_slow(text) RETURNS text IMMUTABLE LANGUAGE plpgsql "
            "AS $$ BEGIN PERFORM pg_sleep(0.01); RETURN $1; END $$"
        )
    yield
    with connections["postgres"].cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS slow_idx")
        cursor.execute("DROP FUNCTION prodready_test_slow(text)")


def apply(operation, atomic):
    def work():
        connection = connections["postgres"]
        state = MigrationLoader(connection).project_state(("deploy_app", "0002_lesson_room"))
        migration = type("Migration", (migrations.Migration,), {"atomic": atomic})(
            "0003_index", "deploy_app"
        )
        migration.operations = [operation]
        with connection.schema_editor(atomic=atomic) as editor:
            migration.apply(state, editor)

    return work


@pytest.mark.usefixtures("slow_index_function")
@pytest.mark.parametrize(
    ("operation", "atomic", "blocks"),
    [
        (migrations.AddIndex("lesson", SLOW), True, True),
        (AddIndexConcurrently("lesson", SLOW), False, False),
    ],
    ids=["AddIndex-blocks-writes", "AddIndexConcurrently-does-not"],
)
def test_an_index_build_blocks_concurrent_writes_unless_concurrent(
    sessions, operation, atomic, blocks
):
    writer = sessions(autocommit=True)
    writer_pid = pid(writer)
    build = Background(apply(operation, atomic))
    build.start()
    until(lambda: running("CREATE INDEX"), "the index build starts")
    write = Background(
        lambda: writer.execute("INSERT INTO deploy_app_lesson (title) VALUES ('new')")
    )
    write.start()
    if blocks:
        until(lambda: waiting_for_lock(writer_pid), "the insert waits for the build")
        assert running("CREATE INDEX")
    else:
        assert write.finish().done
        assert running("CREATE INDEX"), "the insert went through while the index was built"
    assert build.finish().done, build.error
    assert write.finish().done
