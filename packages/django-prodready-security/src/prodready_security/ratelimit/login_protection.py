"""Login brute-force protection that an attacker cannot turn against the account's owner.

Failures are counted from Django's ``user_login_failed`` signal and lockouts are
enforced by :class:`~prodready_security.ratelimit.backends.LoginLockoutBackend`.
Both sit inside ``django.contrib.auth.authenticate()``, which Django's
``LoginView``, the admin's login and any other login path call, so every one of
them is covered without naming its URL.

Three scopes, as django-axes' combination mode plus a slowdown:

- ``combination``: a username tried from one address. At its rate
  (``PRODREADY_RATELIMIT_LOGIN_COMBINATION_RATE``) that pair is locked for
  ``PRODREADY_RATELIMIT_LOGIN_LOCKOUT`` seconds; each further lockout doubles that,
  up to ``..._LOCKOUT_MAX``, and the escalation is forgotten ``..._LOCKOUT_MAX``
  seconds after the last lockout ends. The same username from any other address
  is not locked, so guessing ``admin``'s password cannot lock the admin out.
- ``address``: every username from one address (``..._ADDRESS_RATE``), locked and
  escalated the same way: one address guessing many accounts.
- ``username``: every address trying one username (``..._USERNAME_RATE``, higher).
  Past it the account is never locked; instead each address that fails must wait
  before its next attempt on that username, one second doubling with every further
  failure of the username, up to ``..._USERNAME_DELAY_MAX``. An address that has not
  failed (the owner's) is never held back.

Addresses in ``PRODREADY_RATELIMIT_LOGIN_ALLOWLIST`` are neither counted nor refused.

While the cache holding the lockouts is down, every login is refused with a 503 before
the password is checked, whatever ``PRODREADY_RATELIMIT_FAIL_OPEN`` says: failing open
would switch the lockout off for as long as an attacker can keep the cache busy, and
the same answer to a right and a wrong password tells a guesser nothing.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from prodready.client_ip import client_ip, split_networks
from prodready_security.conf import conf
from prodready_security.ratelimit import events, lockouts
from prodready_security.ratelimit.keys import by_ip
from prodready_security.ratelimit.rates import Rate, parse_rate
from prodready_security.ratelimit.responses import service_unavailable, too_many_requests
from prodready_security.ratelimit.store import get_store
from prodready_security.ratelimit.types import LoginKeys, SlowKeys, Store, StoreUnavailable

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

# Set on the request by the backend when it refuses a login, so the middleware can
# answer 429 (or 503) instead of the login form's "wrong password".
REFUSAL_ATTRIBUTE = "_prodready_login_refusal"
# The first wait of a slowed username, in seconds; it doubles with each failure.
FIRST_DELAY = 1.0
# The address of a login attempted without a request (``authenticate(None, ...)``).
NO_ADDRESS = "ip:none"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Scope:
    name: str  # "combination", "address" or "username"
    subject: str
    rate: Rate
    address: str  # the attempt's address: a slowed username's wait is this address's

    @property
    def slows(self) -> bool:
        return self.name == "username"

    @property
    def keys(self) -> LoginKeys:
        base = f"prodready:login:{self.name}:{_digest(self.subject)}"
        return LoginKeys(f"{base}:failures", f"{base}:lock", f"{base}:level")

    @property
    def slow_keys(self) -> SlowKeys:
        wait = f"prodready:login:{self.name}:{_digest(self.subject)}:wait:{_digest(self.address)}"
        return SlowKeys(self.keys.failures, wait)

    @property
    def gate(self) -> str:
        """The entry that refuses an attempt while it exists."""
        return self.slow_keys.wait if self.slows else self.keys.lock


@dataclass(frozen=True)
class Refusal:
    seconds: float | None  # None: the cache was down and the site fails closed


def allowlisted(request: HttpRequest | None) -> bool:
    """Whether the client's address is in ``PRODREADY_RATELIMIT_LOGIN_ALLOWLIST``."""
    entries = conf.RATELIMIT_LOGIN_ALLOWLIST
    if request is None or not entries:
        return False
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    # Entries that name no network are left out; prodready_security.E011 names them.
    return any(address in network for network in split_networks(entries)[0])


def scopes(request: HttpRequest | None, username: str | None) -> list[Scope]:
    """The lockout scopes that apply to a login attempt, as configured."""
    if allowlisted(request):
        return []
    address = by_ip("login", request) if request is not None else NO_ADDRESS
    name = username.strip().casefold() if username else None
    configured = [
        ("combination", conf.RATELIMIT_LOGIN_COMBINATION_RATE, f"{name}\n{address}"),
        ("username", conf.RATELIMIT_LOGIN_USERNAME_RATE, name),
        ("address", conf.RATELIMIT_LOGIN_ADDRESS_RATE, address if request is not None else None),
    ]
    return [
        Scope(scope, subject, parse_rate(rate), address)
        for scope, rate, subject in configured
        if rate is not None and subject is not None and (name or scope == "address")
    ]


def refusal(request: HttpRequest | None, username: str | None) -> Refusal | None:
    """Why this login attempt must be refused before checking the password, if it must."""
    applicable = scopes(request, username)
    if not applicable:
        return None
    try:
        seconds = get_store().locked_for([scope.gate for scope in applicable])
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
            if scope.slows:
                _slow(store, request, scope, username)
                continue
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
                note_started(store, scope, failure.locked_for, failure.level)
    except StoreUnavailable as exc:
        # The cache went down after refusal() read it: this one failure goes uncounted.
        events.cache_unavailable("a failed login", exc, fail_open=True)


def _slow(store: Store, request: HttpRequest | None, scope: Scope, username: str | None) -> None:
    delay = store.login_slowed(
        scope.slow_keys,
        scope.rate.limit,
        scope.rate.seconds,
        FIRST_DELAY,
        conf.RATELIMIT_LOGIN_USERNAME_DELAY_MAX,
        f"slowed:{scope.name}",
    )
    if delay.started:
        events.login_slowed(request, username, delay)
        note_started(store, scope, delay.wait, 0)


def note_started(store: Store, scope: Scope, seconds: float, level: int) -> None:
    """Note a lockout or slowdown that just started, for ``lockouts.in_force()``."""
    name, _, at = scope.subject.partition("\n")
    subjects: dict[str, tuple[str | None, str | None]] = {
        "combination": (name, at),
        "address": (None, scope.subject),
        "username": (scope.subject, None),
    }
    username, address = subjects[scope.name]
    if scope.slows:
        # The username stays slowed while its failures are counted: their window.
        entries: tuple[str, ...] = (scope.keys.failures, scope.slow_keys.wait)
        seconds = max(seconds, scope.rate.seconds)
    else:
        entries = (scope.keys.lock, scope.keys.failures, scope.keys.level)
    lockout = lockouts.Lockout(
        scope.name, username, address, time.time() + seconds, level, entries, scope.gate
    )
    ttl = int(max(conf.RATELIMIT_LOGIN_LOCKOUT_MAX, seconds)) + 1
    store.note(lockouts.REGISTER, scope.gate, json.dumps(asdict(lockout)), ttl)


def forget_failures(request: HttpRequest | None, username: str | None) -> None:
    """A successful login clears its combination's failures. Not its address's
    (one valid account must not reset an address that is guessing others), nor its
    username's (the owner signing in must not reset a guesser elsewhere)."""
    applicable = [scope for scope in scopes(request, username) if scope.name == "combination"]
    if not applicable:
        return
    [combination] = applicable
    try:
        get_store().clear([combination.keys.failures])
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
