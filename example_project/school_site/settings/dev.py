"""The embedded default: runs with no services (SQLite, local-memory cache, no broker).

Set ``DATABASE_URL`` and ``REDIS_URL`` to develop against PostgreSQL and Redis instead.
"""

from __future__ import annotations

import django

from prodready_observability.logging import configure_logging
from school_site.settings.base import *  # noqa: F403
from school_site.settings.environment import env

DEBUG = env.bool("DEBUG", default=True)
# Dev only: Django's deploy check flags the "django-insecure-" prefix, so it cannot ship.
SECRET_KEY = env("SECRET_KEY", default="django-insecure-school-site-development-only")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", *env.list("ALLOWED_HOSTS", default=[])]

# Serve static files from the apps, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Mail is printed to the console. Django 6.1 configures it with MAILERS.
if django.VERSION >= (6, 1):
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
SCHOOL_DEMO_USER_ALLOWED = True

# Plain text lines for a terminal.
LOGGING = configure_logging(
    level=env("LOG_LEVEL", default="INFO"), json=env.bool("LOG_JSON", default=False)
)

# Throwaway keys so the demo runs with nothing set; production reads its own.
PRODREADY_OTP_ENCRYPTION_KEYS = PRODREADY_OTP_ENCRYPTION_KEYS or [  # noqa: F405
    "ZGV2ZWxvcG1lbnQtb25seS1rZXktbm90LWZvci11c2U="
]
PRODREADY_BACKUP_ENCRYPTION_KEYS = PRODREADY_BACKUP_ENCRYPTION_KEYS or [  # noqa: F405
    "ZGV2ZWxvcG1lbnQtb25seS1iYWNrdXAta2V5LTMyYnk="
]
