"""manage.py in a subprocess, as the demo and a deployment run it."""

import os
import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from django.contrib.auth.hashers import check_password

from prodready._ci import service_address

PROJECT = Path(__file__).resolve().parent.parent
# Left out of the subprocesses' environment, so they see the defaults a new user gets.
PROJECT_VARIABLES = {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "ALLOWED_HOSTS", "REDIS_URL"}


def manage(*args, database, check=True, **environ_changes):
    environ = {k: v for k, v in os.environ.items() if k not in PROJECT_VARIABLES}
    if database is not None:
        environ["DATABASE_URL"] = f"sqlite:///{database}"
    environ.update(environ_changes)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=check,
    )


def test_migrate_then_demo_user_on_a_fresh_database(tmp_path):
    database = tmp_path / "db.sqlite3"
    manage("migrate", "--noinput", database=database)
    output = manage("demo_user", database=database).stdout
    username = re.search(r"Username:\s+(\S+)", output).group(1)
    password = re.search(r"Password:\s+(\S+)", output).group(1)
    # sqlite3's own context manager commits but never closes.
    with closing(sqlite3.connect(database)) as connection:
        (encoded, is_staff) = connection.execute(
            "SELECT password, is_staff FROM auth_user WHERE username = ?", (username,)
        ).fetchone()
    assert is_staff
    assert check_password(password, encoded)


def test_no_missing_migrations(tmp_path):
    manage("makemigrations", "--check", "--dry-run", database=tmp_path / "db.sqlite3")


def test_production_settings_without_environment_say_what_is_missing(tmp_path):
    result = manage(
        "check",
        database=tmp_path / "db.sqlite3",
        check=False,
        DJANGO_SETTINGS_MODULE="school_site.settings.production",
        DATABASE_URL="",
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Missing required environment variables: " in result.stderr
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"):
        assert name in result.stderr


PRODUCTION_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "school_site.settings.production",
    "SECRET_KEY": "a-long-random-production-secret-key-for-tests-0123456789",
    "ALLOWED_HOSTS": "school.example.com",
    "OTP_ENCRYPTION_KEYS": "cHJvZHVjdGlvbi1vdHAta2V5LWZvci10ZXN0cy0wMDA=",
    "BACKUP_ENCRYPTION_KEYS": "cHJvZHVjdGlvbi1iYWNrdXAta2V5LWZvci10ZXN0cy0=",
    "BACKUP_S3_BUCKET": "school-backups",
    "AUDIT_CHECKPOINT_KEYS": "tests:Viyym74/T6E197MTRtN8mR93LhCGDF9PXNSezLk883E=",
    "ADMINS": "ops@school.example.com",
    "HEALTH_TOKEN": "health-token-for-tests-0123456789abcdef",
    "METRICS_TOKEN": "metrics-token-for-tests-0123456789abcdef",
    "SENTRY_DSN": "https://public@sentry.example.com/1",
    "SENTRY_RELEASE": "school-site@1.0.0",
}


@pytest.fixture
def deployed_database():
    """A PostgreSQL database of the test's own, as a deploy leaves it: migrated."""
    import psycopg

    host, port = service_address("requires_postgres")
    name = f"test_school_deployed_{os.getpid()}"
    with psycopg.connect(host=host, port=port, user="postgres", autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}"')
        server.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://postgres@{host}:{port}/{name}"
    finally:
        with psycopg.connect(host=host, port=port, user="postgres", autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.requires_postgres
@pytest.mark.requires_redis
def test_production_settings_pass_the_deploy_checks_and_the_readiness_bar(deployed_database):
    redis_host, redis_port = service_address("requires_redis")
    environ = PRODUCTION_ENVIRONMENT | {
        "DATABASE_URL": deployed_database,
        "REDIS_URL": f"redis://{redis_host}:{redis_port}/15",
    }
    manage("migrate", "--noinput", database=None, **environ)
    deploy = manage("check", "--deploy", "--fail-level", "WARNING", database=None, **environ)
    assert "no issues" in deploy.stdout
    report = manage("prodready", "check", "--fail-under", "9", database=None, **environ)
    assert re.search(r"Overall: (9\.\d|10\.0)/10", report.stdout), report.stdout
