"""Login brute-force protection: failed logins per username and per address, escalating lockouts.

Failures are counted from Django's ``user_login_failed`` signal and lockouts are
enforced by :class:`~prodready_security.ratelimit.backends.LoginLockoutBackend`.
Both sit inside ``django.contrib.auth.authenticate()``, which Django's
``LoginView``, the admin's login and any other login path call, so every one of
them is covered without naming its URL.

When a scope reaches its rate (``PRODREADY_RATELIMIT_LOGIN_USERNAME_RATE``,
``..._ADDRESS_RATE``) it is locked for ``PRODREADY_RATELIMIT_LOGIN_LOCKOUT``
seconds; each further lockout doubles that, up to ``..._LOCKOUT_MAX``. The
escalation is forgotten ``..._LOCKOUT_MAX`` seconds after the last lockout ends.

While the cache holding the lockouts is down, every login is refused with a 503 before
the password is checked, whatever ``PRODREADY_RATELIMIT_FAIL_OPEN`` says: failing open
would switch the lockout off for as long as an attacker can keep the cache busy, and
the same answer to a right and a wrong password tells a guesser nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prodready_security.conf import conf
from prodready_security.ratelimit import events
from prodready_security.ratelimit.keys import by_ip
from prodready_security.ratelimit.rates import Rate, parse_rate
from prodready_security.ratelimit.responses import service_unavailable, too_many_requests
from prodready_security.ratelimit.store import get_store
from prodready_security.ratelimit.types import LoginKeys, StoreUnavailable

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

# Set on the request by the backend when it refuses a login, so the middleware can
# answer 429 (or 503) instead of the login form's "wrong password".
REFUSAL_ATTRIBUTE = "_prodready_login_refusal"


@dataclass(frozen=True)
class Scope:
    name: str  # "username" or "address"
    subject: str
    rate: Rate

    @property
    def keys(self) -> LoginKeys:
        digest = hashlib.sha256(self.subject.encode()).hexdigest()[:32]
        base = f"prodready:login:{self.name}:{digest}"
        return LoginKeys(f"{base}:failures", f"{base}:lock", f"{base}:level")


@dataclass(frozen=True)
class Refusal:
    seconds: float | None  # None: the cache was down and the site fails closed


def scopes(request: HttpRequest | None, username: str | None) -> list[Scope]:
    """The lockout scopes that apply to a login attempt, as configured."""
    found = []
    if username and conf.RATELIMIT_LOGIN_USERNAME_RATE is not None:
        rate = parse_rate(conf.RATELIMIT_LOGIN_USERNAME_RATE)
        found.append(Scope("username", username.strip().casefold(), rate))
    if request is not None and conf.RATELIMIT_LOGIN_ADDRESS_RATE is not None:
        rate = parse_rate(conf.RATELIMIT_LOGIN_ADDRESS_RATE)
        found.append(Scope("address", by_ip("login", request), rate))
    return found


def refusal(request: HttpRequest | None, username: str | None) -> Refusal | None:
    """Why this login attempt must be refused before checking the password, if it must."""
    applicable = scopes(request, username)
    if not applicable:
        return None
    try:
        seconds = get_store().locked_for([scope.keys.lock for scope in applicable])
    except StoreUnavailable as exc:
        events.cache_unavailable("a login", exc, fail_open=False)
        return Refusal(None)
    return Refusal(seconds) if seconds > 0 else None


def record_failure(request: HttpRequest | None, username: str | None) -> None:
    """Count a failed login in every scope; start a lockout where one is reached."""
    if request is not None and hasattr(request, REFUSAL_ATTRIBUTE):
        return  # refused by the lockout itself: not a password guess
    applicable = scopes(request, username)
    if not applicable:
        return
    try:
        store = get_store()
        for scope in applicable:
            failure = store.login_failed(
                scope.keys,
                scope.rate.limit,
                scope.rate.seconds,
                conf.RATELIMIT_LOGIN_LOCKOUT,
                conf.RATELIMIT_LOGIN_LOCKOUT_MAX,
                f"lockouts:{scope.name}",
            )
            if failure.started:
                events.login_locked_out(request, scope.name, username, failure)
    except StoreUnavailable as exc:
        # The cache went down after refusal() read it: this one failure goes uncounted.
        events.cache_unavailable("a failed login", exc, fail_open=True)


def forget_failures(request: HttpRequest | None, username: str | None) -> None:
    """A successful login clears its username's failures (not its address's: one
    valid account must not reset an address that is guessing others)."""
    applicable = scopes(None, username)
    if not applicable:
        return
    try:
        get_store().clear([scope.keys.failures for scope in applicable])
    except StoreUnavailable as exc:
        events.cache_unavailable("a login", exc, fail_open=True)


def refused_response(request: HttpRequest) -> HttpResponse | None:
    """The 429 (or 503) for a request whose login the backend refused, else None."""
    refused: Refusal | None = getattr(request, REFUSAL_ATTRIBUTE, None)
    if refused is None:
        return None
    if refused.seconds is None:
        return service_unavailable(request)
    return too_many_requests(request, refused.seconds, login=True)
