"""Every bad rate-limit setting is a system-check error naming it, with the fix."""

from typing import Any

import pytest
from django.core import checks
from django.test import override_settings

from prodready_security.ratelimit.checks import (
    check_cache,
    check_leases,
    check_login_protection,
    check_rules,
)

# Django 6.1 runs model checks against every database, and the audit log's JSONField
# asks SQLite whether it supports JSON: running all checks needs the test database.
pytestmark = pytest.mark.django_db

MIDDLEWARE = "prodready_security.ratelimit.middleware.RateLimitMiddleware"
AUTH_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"
BACKEND = "prodready_security.ratelimit.backends.LoginLockoutBackend"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
LOGIN = {"name": "login", "url_names": ["login"], "rate": "5/m"}


def ids(messages: list[checks.CheckMessage]) -> list[str]:
    return [message.id or "" for message in messages]


def run_all() -> list[checks.CheckMessage]:
    return check_rules() + check_login_protection() + check_cache() + check_leases()


def test_the_test_settings_pass() -> None:
    assert run_all() == []


def test_registered_with_django() -> None:
    bad = [{**LOGIN, "rate": "5 a minute"}]
    with override_settings(PRODREADY_RATELIMIT_RULES=bad):
        assert "prodready_security.E002" in ids(checks.run_checks())


def test_a_malformed_rate_names_the_rule_what_was_expected_and_found() -> None:
    with override_settings(PRODREADY_RATELIMIT_RULES=[{**LOGIN, "rate": "5 a minute"}]):
        [error] = check_rules()
    assert error.id == "prodready_security.E002"
    assert "PRODREADY_RATELIMIT_RULES rule 'login'" in error.msg
    assert "'5/m'" in error.msg  # expected
    assert "'5 a minute'" in error.msg  # found
    assert "'rate': '5/m'" in (error.hint or "")


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ([LOGIN], []),
        (["login"], []),  # not a list of dicts: prodready.E002 (core) reports the type
        ([LOGIN, LOGIN], ["prodready_security.E001"]),
        ([{**LOGIN, "rate": "5/fortnight"}], ["prodready_security.E002"]),
        ([{**LOGIN, "key": "session"}], ["prodready_security.E003"]),
        ([{**LOGIN, "key": "tests.nowhere.key"}], ["prodready_security.E003"]),
        ([{"name": "login", "rate": "5/m"}], ["prodready_security.E004"]),
        ([{**LOGIN, "methods": ["GRAB"]}], ["prodready_security.E004"]),
        ([{**LOGIN, "limit": "5/m"}], ["prodready_security.E005"]),
        # Every broken rule is reported, not only the first.
        (
            [{**LOGIN, "rate": "x"}, {**LOGIN, "name": "two", "key": "?"}],
            ["prodready_security.E002", "prodready_security.E003"],
        ),
        ("not a list", []),  # prodready.E002 (core) reports the type
    ],
)
def test_rule_mistakes(rules: Any, expected: list[str]) -> None:
    with override_settings(PRODREADY_RATELIMIT_RULES=rules):
        assert ids(check_rules()) == expected


def test_rules_without_the_middleware() -> None:
    with override_settings(PRODREADY_RATELIMIT_RULES=[LOGIN], MIDDLEWARE=[AUTH_MIDDLEWARE]):
        [error] = check_rules()
    assert error.id == "prodready_security.E008"
    assert MIDDLEWARE in error.msg


@pytest.mark.parametrize(
    ("middleware", "expected"),
    [
        ([AUTH_MIDDLEWARE, MIDDLEWARE], []),
        ([MIDDLEWARE, AUTH_MIDDLEWARE], ["prodready_security.E009"]),
        ([MIDDLEWARE], ["prodready_security.E009"]),
    ],
)
def test_user_keys_need_the_middleware_after_authentication(
    middleware: list[str], expected: list[str]
) -> None:
    rules = [{**LOGIN, "key": "user_or_ip"}]
    with override_settings(PRODREADY_RATELIMIT_RULES=rules, MIDDLEWARE=middleware):
        assert ids(check_rules()) == expected


def test_ip_keys_do_not_care_about_the_order() -> None:
    with override_settings(PRODREADY_RATELIMIT_RULES=[LOGIN], MIDDLEWARE=[MIDDLEWARE]):
        assert check_rules() == []


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"PRODREADY_RATELIMIT_LOGIN_COMBINATION_RATE": "5"}, ["prodready_security.E002"]),
        ({"PRODREADY_RATELIMIT_LOGIN_USERNAME_RATE": "five"}, ["prodready_security.E002"]),
        (
            {"PRODREADY_RATELIMIT_LOGIN_ALLOWLIST": ["10.0.0.0/8", "office", "2001:db8::/32"]},
            ["prodready_security.E011"],
        ),
        ({"PRODREADY_RATELIMIT_LOGIN_ALLOWLIST": "10.0.0.0/8"}, []),  # prodready.E002 (core)
        ({"PRODREADY_RATELIMIT_LOGIN_USERNAME_DELAY_MAX": 0}, ["prodready_security.E012"]),
        ({"PRODREADY_RATELIMIT_LOGIN_ADDRESS_RATE": "20/15"}, ["prodready_security.E002"]),
        ({"PRODREADY_RATELIMIT_LOGIN_LOCKOUT": 0}, ["prodready_security.E010"]),
        (
            {
                "PRODREADY_RATELIMIT_LOGIN_LOCKOUT": 600,
                "PRODREADY_RATELIMIT_LOGIN_LOCKOUT_MAX": 60,
            },
            ["prodready_security.E010"],
        ),
        ({"PRODREADY_RATELIMIT_LOGIN_LOCKOUT": "60"}, []),  # prodready.E002 (core)
        ({"AUTHENTICATION_BACKENDS": [MODEL_BACKEND]}, ["prodready_security.W007"]),
        ({"AUTHENTICATION_BACKENDS": [MODEL_BACKEND, BACKEND]}, ["prodready_security.E007"]),
        (
            {
                "AUTHENTICATION_BACKENDS": [MODEL_BACKEND],
                "PRODREADY_RATELIMIT_LOGIN_COMBINATION_RATE": None,
                "PRODREADY_RATELIMIT_LOGIN_USERNAME_RATE": None,
                "PRODREADY_RATELIMIT_LOGIN_ADDRESS_RATE": None,
            },
            [],
        ),
    ],
)
def test_login_protection_mistakes(overrides: dict[str, Any], expected: list[str]) -> None:
    with override_settings(**overrides):
        assert ids(check_login_protection()) == expected


def test_a_backend_after_another_is_an_error_naming_both_fixes() -> None:
    with override_settings(AUTHENTICATION_BACKENDS=[MODEL_BACKEND, BACKEND]):
        [error] = check_login_protection()
    assert error.level == checks.ERROR
    assert "is not first in AUTHENTICATION_BACKENDS" in error.msg
    assert "PRODREADY_RATELIMIT_LOGIN_COMBINATION_RATE='5/15m'" in error.msg
    assert "to the top of AUTHENTICATION_BACKENDS" in (error.hint or "")
    assert "to None" in (error.hint or "")


def test_a_missing_backend_is_a_warning_so_adding_the_app_never_stops_migrate() -> None:
    # What startproject leaves: no AUTHENTICATION_BACKENDS, so Django's ModelBackend.
    with override_settings(AUTHENTICATION_BACKENDS=[MODEL_BACKEND]):
        [warning] = check_login_protection()
        serious = [m.id for m in checks.run_checks() if m.is_serious()]
    assert warning.level == checks.WARNING
    assert "is not in AUTHENTICATION_BACKENDS" in warning.msg
    assert f"Put {BACKEND!r} first in AUTHENTICATION_BACKENDS" in (warning.hint or "")
    assert not [found for found in serious if found.startswith("prodready_security.")]


def test_a_bad_allowlist_entry_is_named_with_examples_of_good_ones() -> None:
    with override_settings(PRODREADY_RATELIMIT_LOGIN_ALLOWLIST=["10.0.0.0/33"]):
        [error] = check_login_protection()
    assert "PRODREADY_RATELIMIT_LOGIN_ALLOWLIST entry '10.0.0.0/33'" in error.msg
    assert "'10.0.0.0/8'" in (error.hint or "")


def test_an_unknown_cache_alias() -> None:
    with override_settings(PRODREADY_RATELIMIT_CACHE="ratelimit"):
        [error] = check_cache()
    assert error.id == "prodready_security.E006"
    assert "'ratelimit'" in error.msg
    assert "'default'" in error.msg


@pytest.mark.parametrize(
    ("lease_max", "expected"),
    [
        (100, []),
        (1, []),  # leases off
        (0, ["prodready_security.E013"]),
        (-5, ["prodready_security.E013"]),
        ("100", []),  # prodready.E002 (core) reports the type
    ],
)
def test_lease_sizes(lease_max: Any, expected: list[str]) -> None:
    with override_settings(PRODREADY_RATELIMIT_LEASE_MAX=lease_max):
        assert ids(check_leases()) == expected


def test_a_lease_below_one_says_what_to_set() -> None:
    with override_settings(PRODREADY_RATELIMIT_LEASE_MAX=0):
        [error] = check_leases()
        assert "prodready_security.E013" in ids(checks.run_checks())
    assert "PRODREADY_RATELIMIT_LEASE_MAX" in error.msg
    assert "found 0" in error.msg
    assert "1 to count every request" in (error.hint or "")
