"""Production: every service and secret comes from the environment, and nothing defaults.

Required: ``SECRET_KEY``, ``ALLOWED_HOSTS`` (comma-separated), ``DATABASE_URL``
(PostgreSQL), ``REDIS_URL``, ``OTP_ENCRYPTION_KEYS``, ``BACKUP_ENCRYPTION_KEYS``.
Optional: ``CSRF_TRUSTED_ORIGINS``, ``CONN_MAX_AGE`` (seconds, default 60),
``SECURE_SSL_REDIRECT`` (default on; turn off only when the proxy redirects),
``SECURE_HSTS_SECONDS`` (default one year), ``SENTRY_DSN``.
"""

from __future__ import annotations

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
    }
}
REDIS_URL = env("REDIS_URL")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
}

# TLS ends at the proxy, which must set X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
