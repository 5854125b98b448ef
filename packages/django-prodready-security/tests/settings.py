"""Minimal settings: core and this package, SQLite in memory, the local-memory cache.

Tests that need Redis point CACHES at it themselves (``requires_redis``).
"""

import os

import django

SECRET_KEY = "tests-only-not-secret"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.messages",
    "django.contrib.sessions",
    "prodready",
    "prodready_security",
]

# The rate-limit tests' site; other tests mark their own with @pytest.mark.urls.
ROOT_URLCONF = "tests.ratelimit_support"

_PG_HOST, _PG_PORT = os.environ.get("PRODREADY_TEST_POSTGRES", "127.0.0.1:5432").split(":")

DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"},
    # For tests marked requires_postgres (the audit log's trigger and concurrency).
    "postgres": {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": _PG_HOST,
        "PORT": _PG_PORT,
        "USER": os.environ.get("PRODREADY_TEST_POSTGRES_USER", "postgres"),
        "NAME": "postgres",
        "TEST": {"NAME": f"test_prodready_security_{os.getpid()}"},
    },
}

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "prodready_security.ratelimit.middleware.RateLimitMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "prodready_security.ratelimit.backends.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
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

STATIC_URL = "/static/"

# Test-only keys, newest first (2FA tests add OTPEnforcementMiddleware themselves).
PRODREADY_OTP_ENCRYPTION_KEYS = ["5fcKCZtEh7xF1u15WBvoikdJ2mOvWu7HAU3Cg27zTUY="]
# Fast hashing: login tests check many passwords.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Django 6.1 configures email with MAILERS and deprecates EMAIL_BACKEND.
if django.VERSION >= (6, 1):
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
else:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
