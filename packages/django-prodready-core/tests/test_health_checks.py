"""Core's built-in checks, against real services where they integrate with one."""

import contextlib
import logging
import sys
import tempfile
import time
import uuid
import warnings

import pytest
from django.db import connections

from prodready._ci import service_address
from prodready.health.base import HealthCheckError
from prodready.health.checks import (
    CacheCheck,
    CeleryWorkersCheck,
    DatabaseCheck,
    DiskSpaceCheck,
    MigrationsCheck,
    StorageCheck,
    builtin_checks,
)
from prodready.health.checks.disk import disk_paths
from prodready.health.runner import run_checks
from prodready.health.testing import silent_server

REDIS_HOST, REDIS_PORT = service_address("requires_redis")
REDIS_CACHE_DB = 11
CELERY_BROKER_DB = 12


pytestmark = pytest.mark.usefixtures("fresh_health")


@pytest.fixture
def add_database(monkeypatch, django_db_blocker):
    """Add a database alias for one test (overriding DATABASES is not supported).

    Database access is allowed without a test transaction: the alias may not answer.
    """

    def add(alias, **settings_dict):
        configured = connections.configure_settings({"default": {}, alias: settings_dict})[alias]
        monkeypatch.setitem(connections.settings, alias, configured)

    with django_db_blocker.unblock():
        yield add


@pytest.fixture
def hung_server():
    with silent_server() as address:
        yield address


def redis_cache(location):
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location}


# builtin_checks


def test_builtin_checks_cover_every_alias_and_the_default_paths(settings):
    settings.MEDIA_ROOT = ""

    assert [check.name for check in builtin_checks()] == [
        "database:default",
        "database:postgres",
        "cache:default",
        "migrations:default",
        f"disk:{tempfile.gettempdir()}",
        "storage:default",
    ]


def test_builtin_checks_criticality():
    critical = {check.name.split(":")[0]: check.critical for check in builtin_checks()}

    assert critical == {
        "database": True,
        "cache": True,
        "migrations": True,
        "disk": False,
        "storage": False,
    }


def test_the_celery_check_is_added_when_a_celery_app_is_configured(settings):
    settings.PRODREADY_HEALTH_CELERY_APP = "proj.celery.app"

    (celery_check,) = [c for c in builtin_checks() if isinstance(c, CeleryWorkersCheck)]

    assert celery_check.name == "celery"
    assert celery_check.critical is False


# database


@pytest.mark.django_db
def test_database_check_passes_on_sqlite():
    assert DatabaseCheck("default").check() is None


@pytest.mark.requires_postgres
@pytest.mark.django_db(databases=["default", "postgres"])
def test_database_check_passes_on_postgresql_and_leaves_the_alias_settings_alone():
    options_before = dict(connections.settings["postgres"]["OPTIONS"])

    (result,) = run_checks([DatabaseCheck("postgres")]).results

    assert (result.name, result.status, result.message) == ("database:postgres", "ok", None)
    assert connections.settings["postgres"]["OPTIONS"] == options_before


@pytest.mark.requires_postgres
@pytest.mark.django_db(databases=["default", "postgres"])
def test_the_statement_timeout_is_set_for_the_probe_transaction_only():
    from prodready.health.checks.database import _select_one, probe_connection

    executed = []

    def record(execute, sql, params, many, context):
        executed.append((sql, params))
        return execute(sql, params, many, context)

    def session_timeout(connection):
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            return cursor.fetchone()[0]

    with probe_connection("postgres", 2.0) as connection:
        assert connection.settings_dict["OPTIONS"]["connect_timeout"] == 2
        before = session_timeout(connection)
        with connection.execute_wrapper(record):
            _select_one(connection, 2.0)
        after = session_timeout(connection)

    # One round trip: the timeout and the query in one simple query, one implicit transaction.
    assert executed == [("SET LOCAL statement_timeout = 2000; SELECT 1", None)]
    assert after == before != "2s"  # nothing outlives the probe's transaction


@pytest.mark.requires_postgres
@pytest.mark.django_db(databases=["default", "postgres"])
@pytest.mark.parametrize("server_side_binding", [False, True])
def test_the_probe_query_answers_under_either_binding(add_database, server_side_binding):
    from prodready.health.checks.database import _select_one, probe_connection

    settings_dict = connections.settings["postgres"]
    options = {**settings_dict.get("OPTIONS", {}), "server_side_binding": server_side_binding}
    add_database("bound", **{**settings_dict, "OPTIONS": options})

    with probe_connection("bound", 2.0) as connection:
        _select_one(connection, 2.0)
        assert connection.connection.info.transaction_status == 0  # idle: nothing left open


def test_a_probe_connection_never_borrows_from_a_pool(add_database):
    pytest.importorskip("psycopg")
    add_database(
        "pooled",
        ENGINE="django.db.backends.postgresql",
        NAME="app",
        OPTIONS={"pool": {"min_size": 2}},
    )
    from prodready.health.checks.database import probe_connection

    with probe_connection("pooled", 0.5) as connection:
        assert "pool" not in connection.settings_dict["OPTIONS"]
        assert connection.settings_dict["OPTIONS"]["connect_timeout"] == 1
    assert "pool" in connections.settings["pooled"]["OPTIONS"]


def test_database_check_names_a_refused_connection_without_its_address(add_database):
    pytest.importorskip("psycopg")
    add_database(
        "refused",
        ENGINE="django.db.backends.postgresql",
        HOST="127.0.0.1",
        PORT=9,  # nothing listens on the discard port
        USER="app",
        PASSWORD="s3cret-password",
        NAME="app",
    )

    with pytest.raises(HealthCheckError) as excinfo:
        DatabaseCheck("refused").check()

    assert str(excinfo.value) == "could not connect (OperationalError); see the server log"


def test_a_hung_database_times_out_naming_the_alias(add_database, hung_server, settings):
    pytest.importorskip("psycopg")
    host, port = hung_server
    add_database("hung", ENGINE="django.db.backends.postgresql", HOST=host, PORT=port, NAME="app")
    settings.PRODREADY_HEALTH_CHECK_TIMEOUT = 0.5

    started = time.monotonic()
    (result,) = run_checks([DatabaseCheck("hung")]).results
    elapsed = time.monotonic() - started

    assert result.status == "timeout"
    assert result.message == "database:hung did not answer within 0.5 s"
    assert result.critical is True
    assert elapsed < 5


# cache


def test_cache_check_passes_on_local_memory():
    assert CacheCheck("default").check() is None


@pytest.mark.requires_redis
def test_cache_check_passes_on_redis_and_leaves_no_key_behind(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "redis": redis_cache(f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_CACHE_DB}"),
    }
    from django.core.cache import caches

    (result,) = run_checks([CacheCheck("redis")]).results

    assert (result.name, result.status) == ("cache:redis", "ok")
    client = caches["redis"]._cache.get_client()
    assert client.keys("*prodready:health:*") == []


def test_a_dummy_cache_is_reported_as_not_checked(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

    assert CacheCheck("default").check() == "dummy backend: stores nothing, nothing to check"


def test_an_unreachable_cache_fails_without_its_address(settings):
    pytest.importorskip("redis")
    settings.CACHES = {"default": redis_cache("redis://127.0.0.1:9/0")}

    with pytest.raises(HealthCheckError) as excinfo:
        CacheCheck("default").check()

    assert str(excinfo.value) == "the cache failed (ConnectionError); see the server log"


def test_a_hung_cache_times_out_naming_the_alias(hung_server, settings):
    pytest.importorskip("redis")
    host, port = hung_server
    settings.CACHES = {"default": redis_cache(f"redis://{host}:{port}/0")}
    settings.PRODREADY_HEALTH_CHECK_TIMEOUT = 0.5

    started = time.monotonic()
    (result,) = run_checks([CacheCheck("default")]).results
    elapsed = time.monotonic() - started

    assert result.status == "timeout"
    assert result.message == "cache:default did not answer within 0.5 s"
    assert elapsed < 5


# migrations


@pytest.mark.django_db
def test_migrations_check_passes_when_all_are_applied():
    assert MigrationsCheck("default").check() == "all applied"


@pytest.mark.requires_postgres
@pytest.mark.django_db(databases=["default", "postgres"])
def test_migrations_check_passes_on_a_migrated_postgresql_database():
    assert MigrationsCheck("postgres").check() == "all applied"


def test_migrations_check_fails_on_an_unmigrated_database(add_database, tmp_path):
    add_database("fresh", ENGINE="django.db.backends.sqlite3", NAME=str(tmp_path / "fresh.db"))

    with pytest.raises(HealthCheckError) as excinfo:
        MigrationsCheck("fresh").check()

    message = str(excinfo.value)
    assert "unapplied migration(s), first contenttypes.0001_initial" in message
    assert message.endswith("run manage.py migrate")


# disk


def test_disk_check_reports_free_space(tmp_path):
    detail = DiskSpaceCheck(str(tmp_path)).check()

    assert " free of " in detail


def test_disk_check_fails_below_the_minimum(tmp_path, settings):
    settings.PRODREADY_HEALTH_DISK_MIN_FREE_MB = 10**12

    with pytest.raises(HealthCheckError) as excinfo:
        DiskSpaceCheck(str(tmp_path)).check()

    assert "below the minimum of 1000000000000 MB (PRODREADY_HEALTH_DISK_MIN_FREE_MB)" in str(
        excinfo.value
    )


def test_disk_check_measures_a_missing_path_on_its_nearest_parent(tmp_path):
    assert " free of " in DiskSpaceCheck(str(tmp_path / "media" / "not-yet")).check()


@pytest.mark.parametrize(
    ("media_root", "configured", "expected"),
    [
        ("", [], [tempfile.gettempdir()]),
        ("/srv/media", [], ["/srv/media", tempfile.gettempdir()]),
        ("/srv/media", ["/data", "/data"], ["/data"]),
    ],
)
def test_disk_paths(settings, media_root, configured, expected):
    settings.MEDIA_ROOT = media_root
    settings.PRODREADY_HEALTH_DISK_PATHS = configured

    assert disk_paths() == expected


# storage


def test_storage_check_writes_reads_and_deletes():
    from django.core.files.storage import storages

    assert StorageCheck().check() is None
    assert storages["default"].listdir("prodready-health") == ([], [])


def test_a_failing_storage_is_reported_without_its_path(settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    settings.STORAGES = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocker / "media")},
        },
    }

    with pytest.raises(HealthCheckError) as excinfo:
        StorageCheck().check()

    assert str(excinfo.value) == "the storage failed (NotADirectoryError); see the server log"


# celery


def test_celery_missing_names_the_extra_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "celery", None)

    with pytest.raises(HealthCheckError) as excinfo:
        CeleryWorkersCheck("proj.celery.app").check()

    assert "install django-prodready-core[celery]" in str(excinfo.value)


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("no_such_module.app", "cannot be imported"),
        ("tests.test_health_checks:REDIS_CACHE_DB", "is a int, not a Celery app"),
    ],
)
def test_a_wrong_celery_app_path_is_named(path, problem):
    pytest.importorskip("celery")

    with pytest.raises(HealthCheckError) as excinfo:
        CeleryWorkersCheck(path).check()

    assert f"PRODREADY_HEALTH_CELERY_APP = {path!r}" in str(excinfo.value)
    assert problem in str(excinfo.value)


@pytest.fixture
def celery_app():
    celery = pytest.importorskip("celery")
    app = celery.Celery(
        "prodready_health_tests",
        broker=f"redis://{REDIS_HOST}:{REDIS_PORT}/{CELERY_BROKER_DB}",
        fixups=[],
    )
    app.conf.broker_connection_retry_on_startup = True
    # The in-process test worker must leave the test session's logging alone.
    app.conf.worker_hijack_root_logger = False
    # Only this test's worker may answer, not one left by another test or process.
    app.conf.control_exchange = f"prodready-tests-{uuid.uuid4().hex}"
    yield app
    app.close()


@contextlib.contextmanager
def celery_global_state_restored():
    """An in-process Celery worker sets the root log level, captures warnings into
    logging and changes warning filters; undo that so later tests are unaffected."""
    root_level = logging.getLogger().level
    with warnings.catch_warnings():
        try:
            yield
        finally:
            logging.captureWarnings(False)
            logging.getLogger().setLevel(root_level)


@pytest.mark.requires_redis
def test_celery_check_fails_when_no_worker_answers(celery_app, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "celery_app_under_test", celery_app, raising=False)

    check = CeleryWorkersCheck(f"{__name__}.celery_app_under_test")
    check.timeout = 4
    (result,) = run_checks([check]).results

    # The ping waits half the timeout: on a loaded machine connecting, setting up the
    # ping and the broker's overshoot still fit in the other half.
    assert (result.status, result.critical) == ("failed", False)
    assert result.message == "no worker answered within 2.0 s"


@pytest.mark.requires_redis
def test_celery_check_passes_when_a_worker_answers(celery_app, monkeypatch):
    from celery.contrib.testing.worker import start_worker

    monkeypatch.setattr(sys.modules[__name__], "celery_app_under_test", celery_app, raising=False)
    check = CeleryWorkersCheck(f"{__name__}.celery_app_under_test")
    check.timeout = 5

    with (
        celery_global_state_restored(),
        start_worker(celery_app, perform_ping_check=False, shutdown_timeout=5),
    ):
        (result,) = run_checks([check]).results

    assert result.status == "ok"
    assert result.message.startswith("worker ")
    assert result.message.endswith(" answered")
