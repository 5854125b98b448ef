"""Readiness findings of CSP, cookies and the header middleware, through core's hook."""

from __future__ import annotations

from typing import Any

import django
import pytest
from django.conf import settings
from django.test import override_settings

from prodready import hooks
from prodready.readiness.findings import Finding
from tests.headers_support import HEADERS

DJANGO_CSP = "django.middleware.csp.ContentSecurityPolicyMiddleware"
DJANGO_CSP_PACKAGE = "csp.middleware.CSPMiddleware"
SECURITY_IDS = ["prodready_security.R060", "prodready_security.R061", "prodready_security.R062"]


def ours() -> dict[str, Finding]:
    return {f.id: f for f in hooks.readiness_findings() if f.id in SECURITY_IDS}


def test_every_rule_is_reported() -> None:
    assert sorted(ours()) == SECURITY_IDS


def test_csp_missing_fails_with_the_fix_for_this_django() -> None:
    finding = ours()["prodready_security.R060"]
    assert not finding.passed
    if django.VERSION >= (6, 0):
        assert "SECURE_CSP" in finding.fix
        assert DJANGO_CSP in finding.fix
        assert "Neither SECURE_CSP nor SECURE_CSP_REPORT_ONLY" in finding.detail
    else:
        assert "Upgrade to Django 6.0" in finding.fix
        assert "django-csp" in finding.fix


def test_django_csp_passes_on_any_django() -> None:
    with override_settings(MIDDLEWARE=[*settings.MIDDLEWARE, DJANGO_CSP_PACKAGE]):
        assert ours()["prodready_security.R060"].passed


@pytest.mark.skipif(django.VERSION < (6, 0), reason="Django's own CSP arrived in 6.0")
@pytest.mark.parametrize(
    ("overrides", "passed"),
    [
        ({"SECURE_CSP": {"default-src": ["'self'"]}}, False),  # no middleware
        ({"SECURE_CSP": {"default-src": ["'self'"]}, "with_middleware": True}, True),
        ({"SECURE_CSP_REPORT_ONLY": {"default-src": ["'self'"]}, "with_middleware": True}, True),
        ({"with_middleware": True}, False),  # middleware, no policy
    ],
)
def test_djangos_own_csp(overrides: dict[str, Any], passed: bool) -> None:
    overrides = dict(overrides)
    middleware = list(settings.MIDDLEWARE)
    if overrides.pop("with_middleware", False):
        middleware.append(DJANGO_CSP)
    with override_settings(MIDDLEWARE=middleware, **overrides):
        assert ours()["prodready_security.R060"].passed is passed


@pytest.mark.parametrize(
    ("overrides", "passed"),
    [
        ({}, True),  # Django's default: Lax
        ({"SESSION_COOKIE_SAMESITE": "Strict"}, True),
        ({"SESSION_COOKIE_SAMESITE": "None"}, False),
        ({"CSRF_COOKIE_SAMESITE": "None"}, False),
        ({"SESSION_COOKIE_SAMESITE": False}, False),
    ],
)
def test_same_site_cookies(overrides: dict[str, Any], passed: bool) -> None:
    with override_settings(**overrides):
        finding = ours()["prodready_security.R061"]
    assert finding.passed is passed
    assert bool(finding.detail) is not passed


def test_secure_cookie_rules_stay_djangos() -> None:
    """SESSION_COOKIE_SECURE and friends are security.W012/W015/W016 in core's report."""
    with override_settings(SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False):
        texts = " ".join(f.fix + f.title for f in ours().values())
    assert "COOKIE_SECURE" not in texts


def test_header_middleware() -> None:
    assert not ours()["prodready_security.R062"].passed
    with override_settings(MIDDLEWARE=[HEADERS, *settings.MIDDLEWARE]):
        assert ours()["prodready_security.R062"].passed
