"""Test settings: the embedded default (dev) with a faster password hasher."""

from school_site.settings.dev import *  # noqa: F403

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    # To check passwords set by manage.py in a subprocess, which uses the dev settings.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
