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

import django

from prodready_observability.logging import configure_logging
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
    # First, so it times everything below and every log line has the request id.
    "prodready_observability.requests.middleware.RequestMiddleware",
    # Before SecurityMiddleware: responses pass back in reverse, so Django's own
    # headers win and this one fills in Permissions-Policy and cross-origin policies.
    "prodready_security.headers.middleware.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language from the set_language cookie, else the browser's Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "prodready_security.sessions.middleware.SessionActivityMiddleware",
    # After authentication: rate limits can key by user, 2FA needs the user, and the
    # audit log records who did what from where.
    "prodready_security.ratelimit.middleware.RateLimitMiddleware",
    # django-otp's OTPMiddleware, with the verified device trusted from the shared cache
    # until it changes, instead of loaded from the database on every request.
    "prodready_security.otp.middleware.VerifiedDeviceMiddleware",
    "prodready_security.otp.middleware.OTPEnforcementMiddleware",
    "prodready_security.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
if django.VERSION >= (6, 0):
    # Django's own Content-Security-Policy; violations are reported to prodready_security.
    MIDDLEWARE.append("django.middleware.csp.ContentSecurityPolicyMiddleware")
    from django.utils.csp import CSP

    SECURE_CSP = {
        "default-src": [CSP.SELF],
        "img-src": [CSP.SELF, "data:"],
        "object-src": [CSP.NONE],
        "base-uri": [CSP.SELF],
        "frame-ancestors": [CSP.NONE],
        "form-action": [CSP.SELF],
        "report-uri": ["/security/csp/report/"],
    }

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
] + [
    {"NAME": f"prodready_security.passwords.{name}"}
    for name in ("UppercaseValidator", "DigitValidator", "SymbolValidator")
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
# English by default; Polish for the school's staff and students who choose it (the
# language switcher in the header, Django's set_language view).
LANGUAGES = [("en", "English"), ("pl", "Polski")]
TIME_ZONE = env("TIME_ZONE", default="UTC")
CELERY_TIMEZONE = TIME_ZONE  # cron schedules are in the school's local time
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

# One line per record with the request id, secrets masked as in Sentry; JSON unless
# LOG_JSON is off (the dev settings turn it off for a terminal).
LOGGING = configure_logging(
    level=env("LOG_LEVEL", default="INFO"),
    file=env("LOG_FILE", default=None),
    json=env.bool("LOG_JSON", default=True),
)

# django-prodready. Secrets come from the environment; dev.py supplies throwaway keys.
PRODREADY_OTP_ENCRYPTION_KEYS = env.list("OTP_ENCRYPTION_KEYS", default=[])
PRODREADY_BACKUP_ENCRYPTION_KEYS = env.list("BACKUP_ENCRYPTION_KEYS", default=[])
# Local backups (production.py puts them in a bucket when BACKUP_S3_BUCKET is set).
PRODREADY_BACKUP_DIRECTORY = env("BACKUP_DIRECTORY", default=str(BASE_DIR / "backups"))
PRODREADY_SENTRY_DSN = env("SENTRY_DSN", default=None)
PRODREADY_RATELIMIT_RULES = [
    {"name": "login", "url_names": ["login", "admin:login"], "methods": ["POST"], "rate": "10/m"},
    {
        "name": "2fa",
        "url_names": [
            "prodready_otp:verify",
            "prodready_otp:passkey_verify",
            "prodready_otp:passkey_sign_in",
        ],
        "methods": ["POST"],
        "rate": "10/m",
    },
]
PRODREADY_SESSIONS_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=1800)
PRODREADY_SESSIONS_IDLE_WARNING = env.int("SESSION_IDLE_WARNING", default=120)
# Passkeys, on the site's own domain; off until WEBAUTHN_RP_ID names it.
PRODREADY_OTP_WEBAUTHN_RP_ID = env("WEBAUTHN_RP_ID", default=None) or None
PRODREADY_OTP_WEBAUTHN_ORIGINS = env.list("WEBAUTHN_ORIGINS", default=[])
PRODREADY_OTP_PASSKEY_SIGN_IN = env.bool("PASSKEY_SIGN_IN", default=False)
PRODREADY_METRICS_TOKEN = env("METRICS_TOKEN", default=None)
PRODREADY_AUDIT_TRACKED_MODELS = ["auth.User", "auth.Group", "school.Invoice"]

# Lets the demo_user command create a superuser with a printed password; dev only.
SCHOOL_DEMO_USER_ALLOWED = False
