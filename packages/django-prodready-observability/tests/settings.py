"""Minimal settings: core and this package, SQLite in memory."""

SECRET_KEY = "tests-only-not-secret"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "prodready",
    "prodready_observability",
]

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

# Requests to tests.site pass through the middleware of tests.site.MIDDLEWARE.
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

# The Celery card links to its page; the site's own tests set theirs.
ROOT_URLCONF = "prodready_observability.urls"

TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]
