"""Readiness rules the deployment checklists ask for.

- ``prodready.R040`` (security) no view reachable through the URLconf is ``csrf_exempt``,
  other than the packages' documented endpoints
- ``prodready.R041`` (security) Django is supported, for 90 days more at least
- ``prodready.R042`` (security) Python is supported, for 90 days more at least
- ``prodready.R043`` (security) no development-only app or middleware is installed
- ``prodready.R044`` (security) ``DEBUG_PROPAGATE_EXCEPTIONS`` is off
- ``prodready.R045`` (security) ``SECRET_KEY_FALLBACKS`` keeps at most the previous key,
  never ``SECRET_KEY`` itself
"""

from __future__ import annotations

import datetime
import sys
from collections.abc import Iterator
from typing import Any

import django
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

from prodready.readiness import support
from prodready.readiness.findings import Finding

# Endpoints of the django-prodready packages that are csrf_exempt by design (documented
# in their READMEs): browsers post CSP reports without a token.
DOCUMENTED_EXEMPT = {"prodready_security.headers.views.report"}
DEV_APPS = {"debug_toolbar", "django_extensions", "silk", "django_browser_reload", "nplusone"}
DEV_MIDDLEWARE = {
    "debug_toolbar.middleware.DebugToolbarMiddleware",
    "silk.middleware.SilkyMiddleware",
    "django_browser_reload.middleware.BrowserReloadMiddleware",
    "nplusone.ext.django.NPlusOneMiddleware",
}


def checklist_findings(today: datetime.date | None = None) -> list[Finding]:
    today = today or datetime.date.today()
    return [
        csrf_exempt_views(),
        supported(
            "prodready.R041", "Django", support.DJANGO_END_OF_SUPPORT, django.VERSION[:2], today
        ),
        supported(
            "prodready.R042", "Python", support.PYTHON_END_OF_SUPPORT, sys.version_info[:2], today
        ),
        development_tools(),
        debug_propagate_exceptions(),
        secret_key_fallbacks(),
    ]


def exempt_views(patterns: list[Any] | None = None, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(URL pattern, view's dotted path) of every csrf_exempt view in the URLconf."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from exempt_views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and getattr(pattern.callback, "csrf_exempt", False):
            view = getattr(pattern.callback, "view_class", pattern.callback)
            yield "/" + prefix + str(pattern.pattern), f"{view.__module__}.{view.__qualname__}"


def csrf_exempt_views() -> Finding:
    routed = getattr(settings, "ROOT_URLCONF", None) is not None  # none: nothing is reachable
    found = sorted(
        {(url, view) for url, view in exempt_views() if view not in DOCUMENTED_EXEMPT}
        if routed
        else set()
    )
    return Finding(
        "prodready.R040",
        "security",
        "No view is exempt from CSRF protection",
        not found,
        fix="Remove @csrf_exempt and send the CSRF token (forms: {% csrf_token %}; JavaScript: "
        "the X-CSRFToken header); an API authenticated by a token, not a cookie, belongs "
        "under a path whose views check that token.",
        weight=2,
        detail="; ".join(f"{url} ({view})" for url, view in found),
    )


def supported(
    rule_id: str,
    name: str,
    table: dict[tuple[int, int], datetime.date],
    version: tuple[int, int],
    today: datetime.date,
) -> Finding:
    found = support.problem(name, table, version, today)
    return Finding(
        rule_id,
        "security",
        f"{name} receives security fixes",
        not found,
        fix=f"Upgrade {name} to a supported release (Django: the latest LTS or feature "
        "release; Python: a version with more than a year of support left).",
        weight=3 if name == "Django" else 2,
        detail=found,
    )


def development_tools() -> Finding:
    apps = sorted(a for a in settings.INSTALLED_APPS if a.split(".")[0] in DEV_APPS)
    middleware = sorted(set(settings.MIDDLEWARE) & DEV_MIDDLEWARE)
    found = apps + middleware
    return Finding(
        "prodready.R043",
        "security",
        "No development-only app or middleware is installed",
        not found,
        fix="Add these only in the development settings module (they expose internals "
        "and slow every request).",
        weight=2,
        detail=f"installed: {', '.join(found)}" if found else "",
    )


def debug_propagate_exceptions() -> Finding:
    on = bool(getattr(settings, "DEBUG_PROPAGATE_EXCEPTIONS", False))
    return Finding(
        "prodready.R044",
        "security",
        "DEBUG_PROPAGATE_EXCEPTIONS is off",
        not on,
        fix="Remove DEBUG_PROPAGATE_EXCEPTIONS = True from the production settings: errors "
        "then get the 500 page and reach the error reporting instead of the server.",
        weight=2,
        detail="DEBUG_PROPAGATE_EXCEPTIONS is True" if on else "",
    )


def secret_key_fallbacks() -> Finding:
    fallbacks = list(getattr(settings, "SECRET_KEY_FALLBACKS", []))
    problems = []
    if settings.SECRET_KEY in fallbacks:
        problems.append("SECRET_KEY is also one of SECRET_KEY_FALLBACKS")
    if len(fallbacks) > 1:
        problems.append(
            f"{len(fallbacks)} old keys are accepted; all but the last one replaced are "
            "older than a rotation"
        )
    return Finding(
        "prodready.R045",
        "security",
        "SECRET_KEY_FALLBACKS holds only the key replaced at the last rotation",
        not problems,
        fix="Keep only the previous SECRET_KEY in SECRET_KEY_FALLBACKS, and remove it once "
        "SESSION_COOKIE_AGE and PASSWORD_RESET_TIMEOUT have passed since the rotation.",
        weight=2,
        detail="; ".join(problems),
    )
