"""Test settings: core and this package; SQLite files and PostgreSQL as database aliases."""

import os
import tempfile

import django

from prodready._ci import mysql_test_databases

SECRET_KEY = "tests-only-not-secret"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ROOT_URLCONF = "tests.urls"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "prodready",
    "prodready_backup",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

_TMP = tempfile.gettempdir()
_PID = os.getpid()
_PG_HOST, _PG_PORT = os.environ.get("PRODREADY_TEST_POSTGRES", "127.0.0.1:5432").split(":")

DATABASES = {
    # File databases: the online-backup API and the restore swap work on real files.
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.path.join(_TMP, f"prodready_backup_default_{_PID}.sqlite3"),
        "TEST": {"NAME": os.path.join(_TMP, f"prodready_backup_test_default_{_PID}.sqlite3")},
    },
    "other": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.path.join(_TMP, f"prodready_backup_other_{_PID}.sqlite3"),
        "TEST": {"NAME": os.path.join(_TMP, f"prodready_backup_test_other_{_PID}.sqlite3")},
    },
    # Restored into (`backup restore --into copy`), never backed up.
    "copy": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.path.join(_TMP, f"prodready_backup_copy_{_PID}.sqlite3"),
        "TEST": {"NAME": os.path.join(_TMP, f"prodready_backup_test_copy_{_PID}.sqlite3")},
    },
    "postgres": {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": _PG_HOST,
        "PORT": _PG_PORT,
        "USER": os.environ.get("PRODREADY_TEST_POSTGRES_USER", "postgres"),
        "NAME": "postgres",
        "TEST": {"NAME": f"test_prodready_backup_{_PID}"},
    },
}


# MySQL/MariaDB where its driver is installed (PRODREADY_TEST_MYSQL, default 127.0.0.1:3306).
DATABASES.update(mysql_test_databases("test_prodready_backup"))

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]

# Django 6.1 configures email with MAILERS and deprecates EMAIL_BACKEND.
if django.VERSION >= (6, 1):
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
else:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Tests set their own storage directory (a pytest tmp_path) and a fresh key through a
# fixture. DEBUG is off in tests, as in production, where backups must be encrypted.
PRODREADY_BACKUP_DATABASES = ["default"]
PRODREADY_BACKUP_MEDIA = False
PRODREADY_BACKUP_ENCRYPTION_KEYS = ["dGVzdHMtb25seS1iYWNrdXAta2V5LW5vdC1zZWNyZXQ="]
