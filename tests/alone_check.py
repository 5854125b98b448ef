"""Run by ``test_install_alone.py`` in a virtualenv holding one package, core and their
declared dependencies, nothing else:

    python alone_check.py <app> <sqlite file> <module> [<module> ...]

In a minimal project: every module given imports, the app is a plugin, system checks
pass, the health endpoints answer and the readiness report runs.
"""

import json
import sys
from importlib import import_module
from io import StringIO
from pathlib import Path

import django
from django.conf import settings
from django.core.management import call_command
from django.urls import include, path

app, database, *modules = sys.argv[1:]
# A small project as startproject makes it: the admin (packages register their models
# there), sessions and messages.
apps = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "prodready",
]
# What a package's README asks a project to add besides INSTALLED_APPS.
extra = {
    "prodready_security": {
        "AUTHENTICATION_BACKENDS": [
            "prodready_security.ratelimit.backends.LoginLockoutBackend",
            "django.contrib.auth.backends.ModelBackend",
        ],
    },
    # DEBUG is off here, where backups must be encrypted (prodready_backup.E009).
    "prodready_backup": {
        "PRODREADY_BACKUP_ENCRYPTION_KEYS": ["aW5zdGFsbC1hbG9uZS1jaGVjay1vbmx5LW5vdC1rZXk="],
    },
}
settings.configure(
    **extra.get(app, {}),
    INSTALLED_APPS=list(dict.fromkeys([*apps, app])),
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": database}},
    MIDDLEWARE=[
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
    ],
    TEMPLATES=[
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
    ],
    ROOT_URLCONF=__name__,
    ALLOWED_HOSTS=["testserver"],
    SECRET_KEY="install-alone-check-only",
)
django.setup()
urlpatterns = [path("", include("prodready.urls"))]

from django.test import Client  # noqa: E402 (needs the settings above)

from prodready.plugins import plugin_infos  # noqa: E402

for module in modules:
    import_module(module)
call_command("check")
call_command("migrate", verbosity=0)
assert app in [info.name for info in plugin_infos()], app
for url in ("/health/live", "/health/ready"):
    response = Client().get(url)
    assert response.status_code == 200, (url, response.status_code, response.content)
out = StringIO()
call_command("prodready", "check", "--format", "json", stdout=out)
assert 0 <= json.loads(out.getvalue())["score"] <= 10, out.getvalue()
# The wheels ship their Polish catalogue, compiled (hatchling takes every file of the package).
for name in dict.fromkeys(["prodready", app]):
    catalogue = Path(import_module(name).__file__).parent / "locale/pl/LC_MESSAGES/django.mo"
    assert catalogue.is_file(), f"{name} is installed without its Polish catalogue ({catalogue})"
print(f"{app}: {len(modules)} modules import; plugin registered, health ready, report runs")
