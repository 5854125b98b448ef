"""Settings, WSGI app and gunicorn hook of the site test_metrics_multiprocess serves.

``gunicorn -c python:tests.multiprocess_site tests.multiprocess_site:application``
"""

from __future__ import annotations

import os
from typing import Any

from tests.site import MIDDLEWARE

SECRET_KEY = "tests-only-not-secret"
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "tests.site"
USE_TZ = True
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "prodready",
    "prodready_observability",
]
MIDDLEWARE = MIDDLEWARE
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
PRODREADY_METRICS_TOKEN = os.environ.get("PRODREADY_TEST_METRICS_TOKEN")
PRODREADY_METRICS_HEALTH = False
LOGGING = {"version": 1, "disable_existing_loggers": False}


# gunicorn's server hook, as a deployment's gunicorn.conf.py has it.
def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


def __getattr__(name: str) -> Any:
    if name == "application":  # made on first use, in the worker
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", __name__)
        from django.core.wsgi import get_wsgi_application

        return get_wsgi_application()
    raise AttributeError(name)
