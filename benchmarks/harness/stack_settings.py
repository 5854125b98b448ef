"""The example project's production settings, with Django's default middleware on request.

``DJANGO_SETTINGS_MODULE=harness.stack_settings`` (``benchmarks/`` on ``sys.path``) is
``school_site.settings.production`` unchanged, unless ``PRODREADY_BENCH_MIDDLEWARE`` is
``django-default``: then ``MIDDLEWARE`` alone is the list ``django-admin startproject``
writes, and every other setting (installed apps, database, cache, sessions, logging,
the proxy and HTTPS settings) stays the production one.
"""

from __future__ import annotations

import os

from harness.stack import MIDDLEWARE_VARIABLE as VARIABLE
from school_site.settings.production import *  # type: ignore[import-untyped, unused-ignore]  # noqa: F403

DJANGO_DEFAULT_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

_choice = os.environ.get(VARIABLE, "production")
if _choice == "django-default":
    MIDDLEWARE = DJANGO_DEFAULT_MIDDLEWARE
elif _choice != "production":
    raise ValueError(f"{VARIABLE} is {_choice!r}; expected 'production' or 'django-default'")
