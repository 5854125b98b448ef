"""Test settings: the embedded default (dev) with a faster password hasher."""

import os
import tempfile

from school_site.settings.dev import *  # noqa: F403

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    # To check passwords set by manage.py in a subprocess, which uses the dev settings.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# A file, like the embedded default: health checks run in threads with their own
# connections, which an in-memory database would lock out during a test's transaction.
# With DATABASE_URL (PostgreSQL), a test database of this process's own.
DATABASES["default"]["TEST"] = {  # noqa: F405
    "NAME": os.path.join(tempfile.gettempdir(), f"school_site_test_{os.getpid()}.sqlite3")
    if DATABASES["default"]["ENGINE"].endswith("sqlite3")  # noqa: F405
    else f"test_school_site_{os.getpid()}"
}
