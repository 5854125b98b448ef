"""Minimal settings: core and this package, SQLite in memory (and PostgreSQL for the
request history's tests, which route its tables there with ``tests.routers``)."""

import os

SECRET_KEY = "tests-only-not-secret"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "prodready",
    "prodready_observability",
]

_PG_HOST, _, _PG_PORT = os.environ.get("PRODREADY_TEST_POSTGRES", "127.0.0.1:5432").rpartition(":")
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"},
    "postgres": {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": _PG_HOST,
        "PORT": _PG_PORT,
        "USER": os.environ.get("PRODREADY_TEST_POSTGRES_USER", "postgres"),
        "NAME": "postgres",
        "TEST": {"NAME": f"test_prodready_observability_{os.getpid()}"},
    },
}
# The tests write the history themselves (maintain()), never a background thread.
PRODREADY_ANALYTICS_FLUSH_SECONDS = 0

# Requests to tests.site pass through the middleware of tests.site.MIDDLEWARE.
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

# The Celery card links to its page; the site's own tests set theirs.
ROOT_URLCONF = "prodready_observability.urls"

TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]
STATIC_URL = "/static/"
