"""Probe connections: one kept per alias between probes, never one held against its will."""

import socket

import pytest
from django.db import connections
from django.db.backends.signals import connection_created
from django.test.utils import CaptureQueriesContext

from prodready.health.checks import DatabaseCheck, MigrationsCheck
from prodready.health.checks.migrations import applied_migrations, migrations_on_disk
from prodready.health.probes import kept, on_probe_connection

pytestmark = [
    pytest.mark.requires_postgres,
    pytest.mark.django_db(databases=["default", "postgres"]),
    pytest.mark.usefixtures("fresh_health"),
]


@pytest.fixture
def opened():
    """Every database connection opened while the test runs, by alias."""
    aliases = []

    def record(sender, connection, **kwargs):
        aliases.append(connection.alias)

    connection_created.connect(record)
    yield aliases
    connection_created.disconnect(record)


def backend_pid(connection):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_probes_after_the_first_open_no_connection(opened):
    DatabaseCheck("postgres").check()
    MigrationsCheck("postgres").check()
    assert opened == ["postgres"]

    for _ in range(3):
        DatabaseCheck("postgres").check()
        MigrationsCheck("postgres").check()

    assert opened == ["postgres"]


def test_the_migrations_probe_is_one_query(opened):
    MigrationsCheck("postgres").check()  # reads the migrations on disk, opens the connection

    def count(connection):
        with CaptureQueriesContext(connection) as queries:
            applied_migrations(connection)
        return [query["sql"] for query in queries]

    assert on_probe_connection("postgres", 2.0, count) == [
        'SELECT app, name FROM "django_migrations"'
    ]


def test_a_kept_connection_the_server_ended_is_replaced_without_a_failure(opened):
    pid = on_probe_connection("postgres", 2.0, backend_pid)
    with connections["postgres"].cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])

    assert DatabaseCheck("postgres").check() is None

    assert opened.count("postgres") == 2
    assert on_probe_connection("postgres", 2.0, backend_pid) != pid


def test_connecting_the_alias_to_another_database_closes_the_kept_one():
    # What the test runner does before it drops its test database.
    pid = on_probe_connection("postgres", 2.0, backend_pid)

    with connections["postgres"]._nodb_cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        (still_there,) = cursor.fetchone()

    # Termination is asynchronous on the server; the client side is closed at once.
    assert kept().count() == 0
    assert still_there in (0, 1)
    assert on_probe_connection("postgres", 2.0, backend_pid) != pid


def test_changing_the_databases_setting_closes_the_kept_one(settings):
    pool = kept()
    pid = on_probe_connection("postgres", 2.0, backend_pid)
    assert pool.count() == 1

    with pytest.warns(UserWarning, match="Overriding setting DATABASES"):
        settings.DATABASES = {**settings.DATABASES}

    assert pool.count() == 0  # closed, not only left behind
    assert kept().count() == 0
    assert on_probe_connection("postgres", 2.0, backend_pid) != pid


def test_reuse_can_be_switched_off(settings, opened):
    settings.PRODREADY_HEALTH_REUSE_CONNECTIONS = False

    DatabaseCheck("postgres").check()
    DatabaseCheck("postgres").check()

    assert opened == ["postgres", "postgres"]
    assert kept().count() == 0


def test_a_kept_connection_carries_a_socket_timeout():
    def options(connection):
        connection.ensure_connection()
        return connection.settings_dict["OPTIONS"]

    found = on_probe_connection("postgres", 1.5, options)

    assert (found["connect_timeout"], found["tcp_user_timeout"]) == (2, 2000)


def test_migrations_on_disk_are_read_once_in_the_order_migrate_applies_them():
    keys = [(migration.app_label, migration.name) for migration in migrations_on_disk()]

    assert migrations_on_disk() is migrations_on_disk()
    assert keys.index(("contenttypes", "0001_initial")) < keys.index(("auth", "0001_initial"))


@pytest.mark.parametrize(
    ("applied", "done"),
    [
        ({("app", "0001_squashed_0002")}, True),
        ({("app", "0001_initial"), ("app", "0002_more")}, True),
        ({("app", "0001_initial")}, False),
        (set(), False),
    ],
)
def test_a_squashed_migration_is_applied_when_all_it_replaces_are(applied, done):
    from django.db.migrations import Migration

    from prodready.health.checks.migrations import _done

    squashed = Migration("0001_squashed_0002", "app")
    squashed.replaces = [("app", "0001_initial"), ("app", "0002_more")]

    assert _done(squashed, frozenset(applied)) is done


@pytest.mark.requires_redis
def test_cache_checks_of_djangos_redis_backend_share_one_connection_pool(settings):
    from prodready.health.runner import run_checks
    from prodready.testing import RedisServer

    with RedisServer() as server:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": server.url,
            }
        }

        def connections_received():
            with socket.create_connection(("127.0.0.1", server.port), timeout=2) as sock:
                sock.sendall(b"INFO stats\r\n")
                info = sock.recv(65536).decode()
            return int(info.split("total_connections_received:")[1].split()[0])

        from prodready.health.checks import CacheCheck

        run_checks([CacheCheck("default")])
        before = connections_received()
        for _ in range(5):
            (result,) = run_checks([CacheCheck("default")]).results
            assert result.status == "ok"

        assert connections_received() == before + 1  # only this test's own INFO
