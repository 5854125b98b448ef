"""The settings modules: embedded defaults, services from the environment, strict production."""

import importlib.util

import pytest
from django.core.exceptions import ImproperlyConfigured

REQUIRED = [
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "OTP_ENCRYPTION_KEYS",
    "BACKUP_ENCRYPTION_KEYS",
]
PRODUCTION_ENV = {
    "SECRET_KEY": "a-long-random-production-secret-key-for-tests-0123456789",
    "ALLOWED_HOSTS": "school.example.com,www.school.example.com",
    "DATABASE_URL": "postgres://school:pw@db.internal:5432/school",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "OTP_ENCRYPTION_KEYS": "cHJvZHVjdGlvbi1vdHAta2V5LWZvci10ZXN0cy0wMDA=",
    "BACKUP_ENCRYPTION_KEYS": "cHJvZHVjdGlvbi1iYWNrdXAta2V5LWZvci10ZXN0cy0=",
}


def load(module, monkeypatch, **environ):
    """Run a settings module afresh with exactly ``environ`` for its variables."""
    for name in [*REQUIRED, "DEBUG", "BACKUP_S3_BUCKET", "BACKUP_S3_ENDPOINT_URL"]:
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    # A fresh module object, so the settings in use (and sys.modules) stay untouched.
    spec = importlib.util.find_spec(f"school_site.settings.{module}")
    fresh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fresh)
    return vars(fresh)


def test_embedded_default_needs_no_services(monkeypatch):
    base = load("base", monkeypatch)
    assert base["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert base["DATABASES"]["default"]["NAME"].endswith("db.sqlite3")
    assert base["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")


def test_services_come_from_the_environment(monkeypatch):
    base = load(
        "base",
        monkeypatch,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/school",
        REDIS_URL="redis://127.0.0.1:6379/1",
    )
    assert base["DATABASES"]["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert base["DATABASES"]["default"]["NAME"] == "school"
    assert base["CACHES"]["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/1",
    }


def test_production_lists_every_missing_variable(monkeypatch):
    with pytest.raises(ImproperlyConfigured) as error:
        load("production", monkeypatch)
    assert str(error.value).startswith(
        "Missing required environment variables: "
        "SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL, OTP_ENCRYPTION_KEYS, "
        "BACKUP_ENCRYPTION_KEYS."
    )


def test_production_treats_empty_as_missing(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match=r"variables: SECRET_KEY\."):
        load("production", monkeypatch, **(PRODUCTION_ENV | {"SECRET_KEY": ""}))


def test_production_with_every_variable(monkeypatch):
    production = load("production", monkeypatch, **PRODUCTION_ENV)
    assert production["DEBUG"] is False
    assert production["ALLOWED_HOSTS"] == ["school.example.com", "www.school.example.com"]
    database = production["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["CONN_MAX_AGE"] == 60
    assert database["OPTIONS"] == {
        "options": "-c statement_timeout=30000",
        "connect_timeout": 5,
    }
    assert production["CACHES"]["default"] == {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://redis.internal:6379/0",
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
            "CONNECTION_POOL_CLASS": "prodready.redis_breaker.BreakerConnectionPool",
        },
    }
    assert production["CELERY_BROKER_URL"] == "redis://redis.internal:6379/0"
    assert production["CELERY_TASK_ALWAYS_EAGER"] is False
    assert "backups" not in production["STORAGES"]  # no bucket: backups stay local
    assert production["PRODREADY_REQUIRED_ENV"] == REQUIRED
    assert production["SCHOOL_DEMO_USER_ALLOWED"] is False


def test_production_backups_go_to_the_bucket_named_in_the_environment(monkeypatch):
    environ = PRODUCTION_ENV | {
        "BACKUP_S3_BUCKET": "school-backups",
        "BACKUP_S3_ENDPOINT_URL": "https://s3.example.net",
    }
    production = load("production", monkeypatch, **environ)
    storage = production["STORAGES"]["backups"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "school-backups"
    assert storage["OPTIONS"]["endpoint_url"] == "https://s3.example.net"
    assert production["PRODREADY_BACKUP_STORAGE"] == "backups"
