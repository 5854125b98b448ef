"""Settings shared by every environment. Services come from the environment:

- ``DATABASE_URL`` (default: an SQLite file next to manage.py), e.g.
  ``postgres://user:password@127.0.0.1:5432/school``
- ``REDIS_URL`` (default: none, so a per-process local-memory cache), e.g.
  ``redis://127.0.0.1:6379/0``
- ``OTP_ENCRYPTION_KEYS`` and ``BACKUP_ENCRYPTION_KEYS``: comma-separated, newest first
  (``manage.py otp generate-key``, ``manage.py backup generate-key``)
- ``SENTRY_DSN`` (default: none, so nothing is sent)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from school_site.settings.environment import env

BASE_DIR = Path(__file__).resolve().parent.parent.parent

INSTALLED_APPS = [
    "school",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "prodready",
    "prodready_security",
    "prodready_backup",
    "prodready_observability",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: rate limits can key by user, 2FA needs the user, and the
    # audit log records who did what from where.
    "prodready_security.ratelimit.middleware.RateLimitMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "prodready_security.otp.middleware.OTPEnforcementMiddleware",
    "prodready_security.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "school_site.urls"
WSGI_APPLICATION = "school_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL: str | None = env("REDIS_URL", default=None)
# Django's own Redis backend, named explicitly: django-environ would switch to
# django-redis whenever that happens to be installed.
CACHES: dict[str, Any] = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# Celery: Redis is the broker when there is one; otherwise tasks run in-process.
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a task whose worker dies is run again
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]
# The lockout backend first, so a locked-out login is refused even with the right password.
AUTHENTICATION_BACKENDS = [
    "prodready_security.ratelimit.backends.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
CELERY_TIMEZONE = TIME_ZONE  # cron schedules are in the school's local time
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# django-prodready. Secrets come from the environment; dev.py supplies throwaway keys.
PRODREADY_OTP_ENCRYPTION_KEYS = env.list("OTP_ENCRYPTION_KEYS", default=[])
PRODREADY_BACKUP_ENCRYPTION_KEYS = env.list("BACKUP_ENCRYPTION_KEYS", default=[])
PRODREADY_SENTRY_DSN = env("SENTRY_DSN", default=None)
PRODREADY_RATELIMIT_RULES = [
    {"name": "login", "url_names": ["login", "admin:login"], "methods": ["POST"], "rate": "10/m"},
    {"name": "2fa", "url_names": ["prodready_otp:verify"], "methods": ["POST"], "rate": "10/m"},
]
PRODREADY_AUDIT_TRACKED_MODELS = ["auth.User", "auth.Group", "school.Invoice"]

# Lets the demo_user command create a superuser with a printed password; dev only.
SCHOOL_DEMO_USER_ALLOWED = False
