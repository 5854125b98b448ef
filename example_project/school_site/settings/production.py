"""Production: every service and secret comes from the environment, and nothing defaults.

Required: ``SECRET_KEY``, ``ALLOWED_HOSTS`` (comma-separated), ``DATABASE_URL``
(PostgreSQL), ``REDIS_URL``, ``OTP_ENCRYPTION_KEYS``, ``BACKUP_ENCRYPTION_KEYS``.
Optional: ``CSRF_TRUSTED_ORIGINS``, ``CONN_MAX_AGE`` (seconds, default 60),
``DATABASE_CONNECT_TIMEOUT`` (seconds, default 5),
``SECURE_SSL_REDIRECT`` (default on; turn off only when the proxy redirects),
``SECURE_HSTS_SECONDS`` (default one year), ``DATABASE_STATEMENT_TIMEOUT_MS`` (default
30000), ``ADMINS`` (comma-separated addresses that get failure notifications),
``HEALTH_TOKEN``, ``SENTRY_DSN``, ``SENTRY_RELEASE``, ``TRUSTED_PROXIES``, and for backups
on S3 ``BACKUP_S3_BUCKET`` with ``BACKUP_S3_ENDPOINT_URL``, ``AWS_ACCESS_KEY_ID`` and
``AWS_SECRET_ACCESS_KEY``.
"""

from __future__ import annotations

import django

from school_site.settings.environment import env, require

REQUIRED_ENV = [
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "OTP_ENCRYPTION_KEYS",
    "BACKUP_ENCRYPTION_KEYS",
]
# Before anything reads them, so one error lists every missing variable.
require(REQUIRED_ENV)

from school_site.settings.base import *  # noqa: E402, F403

PRODREADY_REQUIRED_ENV = REQUIRED_ENV

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Read again here rather than inherited, so production never falls back to a default.
DATABASES = {
    "default": {
        **env.db("DATABASE_URL"),
        "CONN_MAX_AGE": env.int("CONN_MAX_AGE", default=60),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            # A runaway query is stopped by the server instead of holding a worker.
            "options": f"-c statement_timeout={env.int('DATABASE_STATEMENT_TIMEOUT_MS', 30_000)}",
            # A database that does not answer gets the 503 page (see urls.py) this soon.
            "connect_timeout": env.int("DATABASE_CONNECT_TIMEOUT", default=5),
        },
    }
}
REDIS_URL = env("REDIS_URL")
# A Redis outage degrades pages, never breaks them (readiness finding prodready.R010):
# reads are misses, a hung Redis fails after half a second, and then for
# PRODREADY_BREAKER_SECONDS without waiting at all; rate limits fail open, logins are
# refused with a 503 (the lockout cannot be read).
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
            "CONNECTION_POOL_CLASS": "prodready.redis_breaker.BreakerConnectionPool",
        },
    }
}
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = False
# Sessions live in Redis, and in the database too, so a Redis outage or restart logs
# nobody out: pages read them from the database meanwhile.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# TLS ends at the proxy, which must set X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Probes and the metrics scraper talk to gunicorn directly, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health/", r"^metrics$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Lets the domain join browsers' preload list: HTTPS only, for good. Turn off if not ready.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
PRODREADY_TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Backups belong on another machine than the database: an S3-compatible bucket.
if env("BACKUP_S3_BUCKET", default=""):
    STORAGES["backups"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("BACKUP_S3_BUCKET"),
            "endpoint_url": env("BACKUP_S3_ENDPOINT_URL", default=None),
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            "default_acl": "private",
            "file_overwrite": False,
        },
    }
    PRODREADY_BACKUP_STORAGE = "backups"

# Signed checkpoints of the audit log, written where the database's users cannot rewrite
# them: the backups' bucket (give it Object Lock), under a prefix of their own.
PRODREADY_AUDIT_CHECKPOINT_KEYS = env.list("AUDIT_CHECKPOINT_KEYS", default=[])
if PRODREADY_AUDIT_CHECKPOINT_KEYS and "backups" in STORAGES:
    _backups = STORAGES["backups"]
    STORAGES["audit_checkpoints"] = {
        **_backups,
        "OPTIONS": {**_backups["OPTIONS"], "location": "audit-checkpoints"},
    }
    PRODREADY_AUDIT_CHECKPOINT_STORAGE = "audit_checkpoints"

# Failure notifications (backups, health) are mailed to the admins.
_admins = env.list("ADMINS", default=[])
# Django 6.0 takes plain addresses and deprecates (name, address) pairs.
ADMINS = _admins if django.VERSION >= (6, 0) else [(a, a) for a in _admins]
PRODREADY_HEALTH_TOKEN = env("HEALTH_TOKEN", default=None)

# /health/ready pings the Celery workers (not critical: pages work while tasks wait).
PRODREADY_HEALTH_CELERY_APP = "school_site.celery.app"

# The request history on the operations pages (/ops/history/): per-route counts, slow
# requests and queries, exceptions, the busiest users. Requests only add to in-process
# sums; each process writes them every minute, off the request path.
PRODREADY_ANALYTICS_HISTORY = True
