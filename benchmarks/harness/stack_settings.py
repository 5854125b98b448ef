"""The example project's production settings, with another middleware stack on request.

``DJANGO_SETTINGS_MODULE=harness.stack_settings`` (``benchmarks/`` on ``sys.path``) is
``school_site.settings.production`` with the benchmark pages of ``harness/bench_pages.py``
beside the site's own URLs, and ``PRODREADY_BENCH_MIDDLEWARE`` chooses the middleware:

- ``production`` (the default): the production ``MIDDLEWARE`` unchanged;
- ``prodready``: the same without the site's own middleware that no production stack
  replaces (``SITE_OWN``: WhiteNoise for static files, ``LocaleMiddleware`` for the
  Polish pages), so that it adds to ``django-default`` only what prodready does;
- ``django-default``: the list ``django-admin startproject`` writes;
- ``anchors``: Django's default with the packages teams install instead of prodready
  (``harness/anchors.py``), their apps installed and their log lines from structlog.

Every other setting (installed apps, database, cache, sessions, the proxy and HTTPS
settings) stays the production one. ``PRODREADY_BENCH_RATELIMIT_ALL=1`` adds a rule that
counts every request in Redis, by address, at a rate never reached (``anchors.RATE``): the
rate-limiting job django-ratelimit does in the anchors.
"""

from __future__ import annotations

import os
from pathlib import Path

from harness import anchors
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

# What the example needs whatever production stack it runs; the anchors' variant has none
# of it either.
SITE_OWN = (
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.locale.LocaleMiddleware",
)

ROOT_URLCONF = "harness.bench_pages"
TEMPLATES[0]["DIRS"] = [Path(__file__).resolve().parent / "templates"]  # noqa: F405

_choice = os.environ.get(VARIABLE, "production")
if _choice == "django-default":
    MIDDLEWARE = DJANGO_DEFAULT_MIDDLEWARE
elif _choice == "prodready":
    MIDDLEWARE = [entry for entry in MIDDLEWARE if entry not in SITE_OWN]
elif _choice == "anchors":
    MIDDLEWARE = anchors.MIDDLEWARE
    INSTALLED_APPS = [*INSTALLED_APPS, *anchors.APPS]  # noqa: F405
    LOGGING = anchors.logging_config(os.environ.get("LOG_LEVEL", "INFO"))
    RATELIMIT_USE_CACHE = "default"
    # prodready's default policy: a cache that fails lets requests through. (django-ratelimit
    # fails closed by default: a Redis timeout would answer 429 to every request.)
    RATELIMIT_FAIL_OPEN = True
elif _choice != "production":
    raise ValueError(
        f"{VARIABLE} is {_choice!r}; expected 'production', 'prodready', 'django-default' "
        "or 'anchors'"
    )
if os.environ.get("PRODREADY_BENCH_RATELIMIT_ALL") == "1":
    PRODREADY_RATELIMIT_RULES = [
        *PRODREADY_RATELIMIT_RULES,  # noqa: F405
        {"name": "bench-every-request", "paths": ["/"], "rate": anchors.RATE},
    ]
