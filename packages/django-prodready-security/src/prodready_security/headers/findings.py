"""Readiness findings of headers and cookies (``prodready_readiness_findings``).

- ``prodready_security.R060`` (security) a Content-Security-Policy is sent (Django's
  own from 6.0, or django-csp)
- ``prodready_security.R061`` (security) session and CSRF cookies are not sent on
  cross-site requests (SameSite)
- ``prodready_security.R062`` (security) Permissions-Policy and Cross-Origin-Resource-Policy
  are sent (``SecurityHeadersMiddleware``)

Secure and HttpOnly cookies are Django's deploy checks (``security.W012``, ``W015``,
``W016``), which core's report already shows: they are not repeated here.
"""

from __future__ import annotations

import django
from django.conf import settings

from prodready import Finding
from prodready_security.headers.middleware import DOTTED_PATH

DJANGO_CSP = "django.middleware.csp.ContentSecurityPolicyMiddleware"
DJANGO_CSP_PACKAGE = "csp.middleware.CSPMiddleware"  # django-csp


def findings() -> list[Finding]:
    return [content_security_policy(), same_site_cookies(), headers_middleware()]


def content_security_policy() -> Finding:
    middleware = list(settings.MIDDLEWARE)
    if DJANGO_CSP_PACKAGE in middleware:
        passed, detail = True, ""
    elif django.VERSION >= (6, 0):
        policies = [
            name
            for name in ("SECURE_CSP", "SECURE_CSP_REPORT_ONLY")
            if getattr(settings, name, None)
        ]
        passed = bool(policies) and DJANGO_CSP in middleware
        if not policies:
            detail = "Neither SECURE_CSP nor SECURE_CSP_REPORT_ONLY is set."
        elif not passed:
            detail = f"{' and '.join(policies)} set but {DJANGO_CSP} is not in MIDDLEWARE."
        else:
            detail = ""
    else:
        passed = False
        detail = f"Django {django.get_version()} has no built-in CSP and django-csp is not used."
    if django.VERSION >= (6, 0):
        fix = (
            f"Add {DJANGO_CSP} to MIDDLEWARE and set SECURE_CSP (or SECURE_CSP_REPORT_ONLY "
            "while trying a policy), with 'report-uri' pointing at "
            "prodready_security.headers.urls."
        )
    else:
        fix = (
            "Upgrade to Django 6.0 or later and set SECURE_CSP with "
            f"{DJANGO_CSP}, or install django-csp and add {DJANGO_CSP_PACKAGE}."
        )
    return Finding(
        "prodready_security.R060",
        "security",
        "A Content-Security-Policy is sent",
        passed,
        fix=fix,
        weight=2,
        detail=detail,
    )


def same_site_cookies() -> Finding:
    loose = [
        name
        for name in ("SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SAMESITE")
        if str(getattr(settings, name)).lower() in ("none", "false")
    ]
    return Finding(
        "prodready_security.R061",
        "security",
        "Session and CSRF cookies stay off cross-site requests",
        not loose,
        fix="Set SESSION_COOKIE_SAMESITE and CSRF_COOKIE_SAMESITE to 'Lax' (Django's default) "
        "or 'Strict'.",
        weight=2,
        detail=f"{' and '.join(loose)} allow cross-site sending." if loose else "",
    )


def headers_middleware() -> Finding:
    passed = DOTTED_PATH in settings.MIDDLEWARE
    return Finding(
        "prodready_security.R062",
        "security",
        "Permissions-Policy and Cross-Origin-Resource-Policy are sent",
        passed,
        fix=f"Add {DOTTED_PATH} to MIDDLEWARE, before SecurityMiddleware.",
        weight=1,
        detail="" if passed else f"{DOTTED_PATH} is not in MIDDLEWARE.",
    )
