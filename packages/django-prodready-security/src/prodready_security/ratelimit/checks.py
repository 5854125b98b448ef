"""System checks of the rate-limit settings (ids ``prodready_security.E001`` to ``E019``).

- ``E001`` a rule is not a dict, has no name, shares its name with another rule, or
  has a flag that is not True/False
- ``E002`` a rate string is malformed (a rule's ``rate``, or a
  ``PRODREADY_RATELIMIT_LOGIN_*_RATE``)
- ``E003`` a rule's ``key`` names no key or cannot be imported
- ``E004`` a rule matches nothing, or its ``paths``, ``url_names`` or ``methods`` are
  malformed
- ``E005`` a rule has an unknown option
- ``E006`` ``PRODREADY_RATELIMIT_CACHE`` is not an alias in CACHES
- ``E007`` login lockout is on but its backend comes after another in
  ``AUTHENTICATION_BACKENDS``
- ``W007`` login lockout is on but its backend is not in ``AUTHENTICATION_BACKENDS``
  yet (a warning, so adding the app never stops ``migrate``)
- ``E008`` rules are declared but the middleware is not installed
- ``E009`` a rule counts by user but the middleware comes before
  ``AuthenticationMiddleware``
- ``E010`` the login lockout times are not positive and ordered
- ``E011`` an entry of ``PRODREADY_RATELIMIT_LOGIN_ALLOWLIST`` is not an address or network
- ``E012`` ``PRODREADY_RATELIMIT_LOGIN_USERNAME_DELAY_MAX`` is not positive
- ``E013`` ``PRODREADY_RATELIMIT_LEASE_MAX`` is below 1

A value of the wrong type is already ``prodready.E002`` (core checks every setting
against its annotation); these checks look inside values of the right type.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning

from prodready.checks import reads_settings
from prodready.client_ip import split_networks
from prodready_security.conf import conf
from prodready_security.ratelimit.backends import DOTTED_PATH as BACKEND
from prodready_security.ratelimit.middleware import DOTTED_PATH as MIDDLEWARE
from prodready_security.ratelimit.rates import InvalidRate, parse_rate
from prodready_security.ratelimit.rules import SETTING, Rule, RuleError, needs_user
from prodready_security.ratelimit.rules import parse_rule as parse_one_rule

AUTHENTICATION_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"
LOGIN_RATES = (
    "RATELIMIT_LOGIN_COMBINATION_RATE",
    "RATELIMIT_LOGIN_USERNAME_RATE",
    "RATELIMIT_LOGIN_ADDRESS_RATE",
)


@reads_settings
def check_rules(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """E001-E005: every rule can be used; E008, E009: the middleware applies them."""
    raw: object = conf.RATELIMIT_RULES  # of any type until checked
    if not isinstance(raw, (list, tuple)):
        return []  # prodready.E002
    messages: list[CheckMessage] = []
    rules: list[Rule] = []
    for index, entry in enumerate(raw):
        try:
            rule = parse_one_rule(index, entry)
        except RuleError as exc:
            messages.append(Error(str(exc), hint=exc.hint, id=exc.check_id))
            continue
        if any(existing.name == rule.name for existing in rules):
            messages.append(
                Error(
                    f"{SETTING}: two rules are named {rule.name!r}.",
                    hint="Give every rule its own name: it keys the rule's counters and metrics.",
                    id="prodready_security.E001",
                )
            )
        rules.append(rule)
    if raw:
        messages += _middleware_problems(rules)
    return messages


def _middleware_problems(rules: list[Rule]) -> list[CheckMessage]:
    middleware = list(getattr(settings, "MIDDLEWARE", None) or [])
    if MIDDLEWARE not in middleware:
        return [
            Error(
                f"{SETTING} declares rules but {MIDDLEWARE} is not in MIDDLEWARE, "
                "so no rule is applied.",
                hint=f"Add {MIDDLEWARE!r} to MIDDLEWARE, after AuthenticationMiddleware.",
                id="prodready_security.E008",
            )
        ]
    position = middleware.index(MIDDLEWARE)
    auth = (
        middleware.index(AUTHENTICATION_MIDDLEWARE)
        if AUTHENTICATION_MIDDLEWARE in middleware
        else None
    )
    if needs_user(rules) and (auth is None or auth > position):
        by_user = [rule.name for rule in rules if rule.key_spec in ("user", "user_or_ip")]
        return [
            Error(
                f"{SETTING} rules {', '.join(map(repr, by_user))} count by user, but "
                f"{MIDDLEWARE} does not come after {AUTHENTICATION_MIDDLEWARE} in MIDDLEWARE "
                "(without it every request counts as anonymous).",
                hint=f"Move {MIDDLEWARE!r} below {AUTHENTICATION_MIDDLEWARE!r} in MIDDLEWARE.",
                id="prodready_security.E009",
            )
        ]
    return []


@reads_settings
def check_login_protection(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """E002 for malformed login rates, E010-E012 for lockout times, the allowlist and the
    slowdown, W007/E007 for the backend."""
    messages: list[CheckMessage] = []
    enabled = []
    for name in LOGIN_RATES:
        value = getattr(conf, name)
        if value is None:
            continue
        enabled.append(f"PRODREADY_{name}={value!r}")
        try:
            parse_rate(value)
        except InvalidRate as exc:
            messages.append(
                Error(
                    f"PRODREADY_{name} is malformed: {exc}.",
                    hint=f"Set PRODREADY_{name} to a count per period such as '5/15m', "
                    "or to None to turn this lockout off.",
                    id="prodready_security.E002",
                )
            )
    messages += _lockout_time_problems() + _allowlist_problems() + _delay_problems()
    if enabled and apps.is_installed("django.contrib.auth"):
        messages += _backend_problems(enabled)
    return messages


def _lockout_time_problems() -> list[CheckMessage]:
    first, longest = conf.RATELIMIT_LOGIN_LOCKOUT, conf.RATELIMIT_LOGIN_LOCKOUT_MAX
    numbers = all(
        isinstance(value, (int, float)) and not isinstance(value, bool)
        for value in (first, longest)
    )
    if not numbers or 0 < first <= longest:
        return []  # a wrong type is prodready.E002
    return [
        Error(
            "PRODREADY_RATELIMIT_LOGIN_LOCKOUT must be more than 0 and at most "
            f"PRODREADY_RATELIMIT_LOGIN_LOCKOUT_MAX; found {first!r} and {longest!r}.",
            hint="Set the first lockout to a few seconds or minutes (default 60.0) and "
            "the longest to at least that (default 86400.0).",
            id="prodready_security.E010",
        )
    ]


def _allowlist_problems() -> list[CheckMessage]:
    entries: object = conf.RATELIMIT_LOGIN_ALLOWLIST
    if not isinstance(entries, (list, tuple)):
        return []  # prodready.E002
    return [
        Error(
            f"PRODREADY_RATELIMIT_LOGIN_ALLOWLIST entry {entry!r} is not an IP "
            "address or network.",
            hint="List addresses ('192.0.2.10', '2001:db8::1') or networks "
            "('10.0.0.0/8', '2001:db8::/32') that are never locked out.",
            id="prodready_security.E011",
        )
        for entry in split_networks(entries)[1]
    ]


def _delay_problems() -> list[CheckMessage]:
    longest = conf.RATELIMIT_LOGIN_USERNAME_DELAY_MAX
    if not isinstance(longest, (int, float)) or isinstance(longest, bool) or longest > 0:
        return []  # a wrong type is prodready.E002
    return [
        Error(
            "PRODREADY_RATELIMIT_LOGIN_USERNAME_DELAY_MAX must be more than 0; "
            f"found {longest!r}.",
            hint="Set the longest wait between an address's attempts on a slowed username "
            "(default 60.0), or set PRODREADY_RATELIMIT_LOGIN_USERNAME_RATE to None to "
            "turn the slowdown off.",
            id="prodready_security.E012",
        )
    ]


def _backend_problems(enabled: list[str]) -> list[CheckMessage]:
    backends = list(getattr(settings, "AUTHENTICATION_BACKENDS", []))
    if backends[:1] == [BACKEND]:
        return []
    rates = ", ".join(enabled)
    off = (
        "or set PRODREADY_RATELIMIT_LOGIN_COMBINATION_RATE, _USERNAME_RATE and "
        "_ADDRESS_RATE to None to turn login lockout off."
    )
    if BACKEND not in backends:
        # Not configured yet (the app was just added): logins work, without the lockout.
        return [
            Warning(
                f"Login lockout is on ({rates}) but {BACKEND} is not in "
                f"AUTHENTICATION_BACKENDS ({backends!r}), so a locked-out login is not "
                "refused yet.",
                hint=f"Put {BACKEND!r} first in AUTHENTICATION_BACKENDS, {off}",
                id="prodready_security.W007",
            )
        ]
    return [
        Error(
            f"Login lockout is on ({rates}) but {BACKEND} is not first in "
            f"AUTHENTICATION_BACKENDS ({backends!r}), so a backend before it can log in a "
            "locked-out user.",
            hint=f"Move {BACKEND!r} to the top of AUTHENTICATION_BACKENDS, {off}",
            id="prodready_security.E007",
        )
    ]


@reads_settings
def check_cache(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """E006: the rate-limit cache alias exists."""
    alias = conf.RATELIMIT_CACHE
    caches = getattr(settings, "CACHES", {})
    if not isinstance(alias, str) or alias in caches:
        return []
    return [
        Error(
            f"PRODREADY_RATELIMIT_CACHE is {alias!r}, which is not an alias in CACHES "
            f"({', '.join(map(repr, caches)) or 'none'}).",
            hint="Set PRODREADY_RATELIMIT_CACHE to one of the CACHES aliases (a Redis cache "
            "through django-redis in production), or add that alias to CACHES.",
            id="prodready_security.E006",
        )
    ]


@reads_settings
def check_leases(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """E013: a lease is at least one request."""
    lease_max = conf.RATELIMIT_LEASE_MAX  # an integer: another type is prodready.E002
    if lease_max >= 1:
        return []
    return [
        Error(
            f"PRODREADY_RATELIMIT_LEASE_MAX must be at least 1; found {lease_max!r}.",
            hint="Set the most requests a process may reserve from a Redis counter at once "
            "(default 100), or 1 to count every request in Redis.",
            id="prodready_security.E013",
        )
    ]
