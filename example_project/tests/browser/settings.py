"""The browser tests' settings: the production settings, on this machine's services.

``python3 dev.py e2e`` runs the browser tests with ``--ds tests.browser.settings``. The
production module reads everything from the environment, so this module writes that
environment first: PostgreSQL and Redis where the ``requires_postgres`` and
``requires_redis`` markers look for them, throwaway keys, and plain HTTP for the live
server. Every other variable the production module reads is removed, so nothing from
the shell (a Sentry DSN, a bucket, admins' addresses) reaches the tests.

What differs from production, and why, is listed at the end; the Content-Security-Policy,
the static files storage and the middleware stack are production's own.
"""

import base64
import os
import secrets

from tests.stack_support import production_variables

REDIS_DB = 13  # the browser tests' own Redis database: the tests empty it
_POSTGRES = os.environ.get("PRODREADY_TEST_POSTGRES", "127.0.0.1:5432")
_POSTGRES_USER = os.environ.get("PRODREADY_TEST_POSTGRES_USER", "postgres")
_REDIS = os.environ.get("PRODREADY_TEST_REDIS", "127.0.0.1:6379")

for _name in production_variables():
    os.environ.pop(_name, None)
os.environ.update(
    SECRET_KEY=secrets.token_urlsafe(50),
    ALLOWED_HOSTS="127.0.0.1",
    # pytest-django creates and drops the test database (TEST NAME below) next to it.
    DATABASE_URL=f"postgres://{_POSTGRES_USER}@{_POSTGRES}/postgres",
    REDIS_URL=f"redis://{_REDIS}/{REDIS_DB}",
    OTP_ENCRYPTION_KEYS=base64.urlsafe_b64encode(os.urandom(32)).decode(),
    BACKUP_ENCRYPTION_KEYS=base64.b64encode(os.urandom(32)).decode(),
    # live_server speaks plain HTTP; in production the proxy ends TLS and redirects.
    SECURE_SSL_REDIRECT="false",
)

from school_site.settings.production import *  # noqa: E402, F403

# --- What differs from production ----------------------------------------------------

# A database per test process, so two runs on one server do not collide.
DATABASES["default"]["TEST"] = {"NAME": f"test_school_browser_{os.getpid()}"}  # noqa: F405

# No Celery worker runs beside the live server: tasks run in the request, as in the
# embedded default, and the health check does not ping for workers (the ping would wait
# its whole timeout). test_stack.py runs the production topology with a real worker.
CELERY_TASK_ALWAYS_EAGER = True
PRODREADY_HEALTH_CELERY_APP = None

# Hashing with production's work factor would only slow every log-in down.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
