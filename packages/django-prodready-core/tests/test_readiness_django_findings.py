from typing import Any

import django
import pytest
from django.core import checks
from django.test import override_settings

from prodready.readiness.django_findings import (
    DJANGO_RULES,
    django_findings,
    known_rules,
    run_django_checks,
)
from prodready.readiness.findings import Finding

SECURITY = "django.middleware.security.SecurityMiddleware"
XFRAME = "django.middleware.clickjacking.XFrameOptionsMiddleware"
CSRF = "django.middleware.csrf.CsrfViewMiddleware"

# A deployment that passes every deploy check Django has.
SECURE_SETTINGS: dict[str, Any] = {
    "DEBUG": False,
    "SECRET_KEY": "k7#Vq9!zR2@mW4$pL8^nX1&bT6*cY3(hJ5)dG0-fS_aE+uQ=iO",
    "SECRET_KEY_FALLBACKS": [],
    "ALLOWED_HOSTS": ["www.example.com"],
    "MIDDLEWARE": [
        SECURITY,
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        CSRF,
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        XFRAME,
    ],
    "SECURE_SSL_REDIRECT": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "MAILERS": {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend"}},
}


def failed_ids(**overrides: Any) -> list[str]:
    with override_settings(**{**SECURE_SETTINGS, **overrides}):
        findings = django_findings(run_django_checks())
    return sorted(f.id for f in findings if not f.passed)


def without(middleware: str) -> list[str]:
    return [m for m in SECURE_SETTINGS["MIDDLEWARE"] if m != middleware]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, []),
        ({"DEBUG": True}, ["security.W018"]),
        ({"SECRET_KEY": "django-insecure-" + "x1y2z3" * 10}, ["security.W009"]),
        ({"SECRET_KEY_FALLBACKS": ["short", "also-short"]}, ["security.W025"]),
        ({"ALLOWED_HOSTS": []}, ["security.W020"]),
        ({"SECURE_SSL_REDIRECT": False}, ["security.W008"]),
        ({"SESSION_COOKIE_SECURE": False}, ["security.W012"]),
        ({"SESSION_COOKIE_HTTPONLY": False}, ["security.W015"]),
        ({"CSRF_COOKIE_SECURE": False}, ["security.W016"]),
        ({"SECURE_HSTS_INCLUDE_SUBDOMAINS": False}, ["security.W005"]),
        # Without HSTS, its subdomain and preload options are not in effect either.
        ({"SECURE_HSTS_SECONDS": 0}, ["security.W004", "security.W005", "security.W021"]),
        ({"X_FRAME_OPTIONS": "SAMEORIGIN"}, ["security.W019"]),
        ({"MIDDLEWARE": without(XFRAME)}, ["security.W002"]),
        ({"SECURE_REFERRER_POLICY": "everywhere"}, ["security.E023"]),
        ({"SECURE_CROSS_ORIGIN_OPENER_POLICY": "open"}, ["security.E024"]),
        ({"MIDDLEWARE": without(CSRF)}, ["security.W003", "security.W016"]),
        (
            {"MIDDLEWARE": without(SECURITY)},
            [
                "security.E024",
                "security.W001",
                "security.W004",
                "security.W005",
                "security.W006",
                "security.W008",
                "security.W021",
                "security.W022",
            ],
        ),
    ],
)
def test_deploy_checks_become_findings_under_their_django_ids(overrides, expected):
    assert failed_ids(**overrides) == expected


def test_every_known_rule_counts_as_passed_when_django_raises_nothing():
    with override_settings(**SECURE_SETTINGS):
        findings = django_findings(run_django_checks())
    assert sorted(f.id for f in findings) == sorted(rule.ids[0] for rule in known_rules())
    assert all(f.passed for f in findings)


def test_rules_of_a_newer_django_do_not_count_as_passed():
    ids = [rule.ids[0] for rule in known_rules()]
    assert ("mail.E001" in ids) is (django.VERSION >= (6, 1))


@pytest.mark.skipif(django.VERSION < (6, 1), reason="mail.E001 is new in Django 6.1")
def test_djangos_mailer_check_is_a_deployment_finding():
    console = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
    with override_settings(**{**SECURE_SETTINGS, "MAILERS": console}):
        (finding,) = [f for f in django_findings(run_django_checks()) if not f.passed]
    assert (finding.id, finding.category) == ("mail.E001", "deployment")
    assert "MAILERS['default']['BACKEND']" in finding.fix


def test_a_known_check_keeps_djangos_message_and_gets_a_fix_naming_the_setting():
    with override_settings(**{**SECURE_SETTINGS, "DEBUG": True}):
        (finding,) = [f for f in django_findings(run_django_checks()) if not f.passed]
    assert finding == Finding(
        "security.W018",
        "security",
        "DEBUG is off",
        False,
        "Set DEBUG = False in the production settings (for example from an environment "
        "variable that defaults to False).",
        3,
        "You should not have DEBUG set to True in deployment.",
    )


def test_a_rule_blocked_by_a_missing_prerequisite_says_why_and_fixes_both():
    with override_settings(**{**SECURE_SETTINGS, "MIDDLEWARE": without(SECURITY)}):
        findings = {f.id: f for f in django_findings(run_django_checks())}
    hsts = findings["security.W004"]
    assert (
        hsts.detail
        == "Not in effect while 'SecurityMiddleware is installed' fails (security.W001)."
    )
    assert hsts.fix.startswith("Add 'django.middleware.security.SecurityMiddleware'")
    assert "SECURE_HSTS_SECONDS" in hsts.fix


def test_a_check_raised_for_several_objects_is_one_finding():
    with override_settings(**{**SECURE_SETTINGS, "SECRET_KEY_FALLBACKS": ["a", "b"]}):
        (finding,) = [f for f in django_findings(run_django_checks()) if not f.passed]
    assert finding.id == "security.W025"
    assert "SECRET_KEY_FALLBACKS[0]" in finding.detail
    assert "SECRET_KEY_FALLBACKS[1]" in finding.detail


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            checks.Warning("Cache is slow. It has no size.", hint="Use Redis.", id="caches.W099"),
            Finding(
                "caches.W099",
                "performance",
                "Cache is slow",
                False,
                "Use Redis.",
                2,
                "It has no size.",
            ),
        ),
        (
            checks.Error("Model is broken.", id="models.E999"),
            Finding(
                "models.E999",
                "deployment",
                "Model is broken",
                False,
                "Change what the message names (system check models.E999).",
                3,
            ),
        ),
        (
            checks.Critical("Tokens leak", hint="Rotate them.", id="thirdparty.E001"),
            Finding("thirdparty.E001", "security", "Tokens leak", False, "Rotate them.", 3),
        ),
        (
            checks.Error("Webhook missing.", hint="Set it.", id="prodready.E010"),
            Finding("prodready.E010", "monitoring", "Webhook missing", False, "Set it.", 3),
        ),
        (
            checks.Error("Bad setting.", hint="Fix it.", id="prodready.E002"),
            Finding("prodready.E002", "deployment", "Bad setting", False, "Fix it.", 3),
        ),
    ],
)
def test_unknown_checks_are_failures_in_the_category_their_id_names(message, expected):
    findings = django_findings([message])
    assert findings[0] == expected


def test_info_messages_are_not_findings():
    with override_settings(**SECURE_SETTINGS):
        levels = {m.level for m in run_django_checks()}
    assert all(level >= checks.WARNING for level in levels)


def test_prerequisites_come_before_the_rules_that_need_them():
    seen: set[str] = set()
    for rule in DJANGO_RULES:
        assert not rule.needs or rule.needs in seen, rule.ids
        seen.add(rule.ids[0])


def test_a_core_check_that_a_readiness_rule_scores_is_counted_once():
    from prodready.readiness.core_findings import notifications_reach_someone

    with override_settings(ADMINS=[], PRODREADY_NOTIFY_CHANNELS=["email"]):
        assert "prodready.W010" in [
            m.id for m in checks.run_checks(include_deployment_checks=True)
        ]
        assert "prodready.W010" not in [m.id for m in run_django_checks()]
        assert notifications_reach_someone().passed is False  # scored as prodready.R005
