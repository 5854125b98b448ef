"""What rate limiting tells the rest of the site: audit events, log lines, outage counts.

Audit events go through ``prodready.audit()``, so whichever plugin stores or logs
them receives them. A flood must not become a flood of audit rows: a block is
audited once per rule, key and window (when the count first passes the limit),
and a lockout once when it starts. Every blocked request is still counted in the
shared metrics (see ``prodready_security.ratelimit.metrics``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from typing import TYPE_CHECKING, Any

import prodready

if TYPE_CHECKING:
    from django.http import HttpRequest

    from prodready_security.ratelimit.rules import Rule
    from prodready_security.ratelimit.types import LoginDelay, LoginFailure, StoreUnavailable

logger = logging.getLogger("prodready_security.ratelimit")

# While the cache is down every request would log; once per interval per process is plenty.
OUTAGE_LOG_INTERVAL = 10.0

_lock = threading.Lock()
_outages: Counter[str] = Counter()
_last_outage_log = -OUTAGE_LOG_INTERVAL


def request_blocked(request: HttpRequest, rule: Rule, count: int) -> None:
    if count != rule.rate.limit + 1:
        return  # already reported in this window
    logger.warning(
        "Rate limit %r (%s) reached by %s %s", rule.name, rule.rate, request.method, request.path
    )
    # The key's value is left out on purpose: it may be an API key from a header.
    prodready.audit(
        "ratelimit.blocked",
        actor=_actor(request),
        request=request,
        rule=rule.name,
        rate=str(rule.rate),
        key=rule.key_spec,
        path=request.path,
        method=request.method,
    )


def login_locked_out(
    request: HttpRequest | None, scope: str, username: str | None, failure: LoginFailure
) -> None:
    logger.warning(
        "Login locked by %s for %.0f s (lockout %d in a row)",
        scope,
        failure.locked_for,
        failure.level,
    )
    prodready.audit(
        "auth.lockout",
        request=request,
        scope=scope,
        username=username,
        seconds=failure.locked_for,
        level=failure.level,
        failures=failure.failures,
    )


def login_slowed(request: HttpRequest | None, username: str | None, delay: LoginDelay) -> None:
    logger.warning(
        "Logins of one username slowed after %d failures from any address", delay.failures
    )
    prodready.audit(
        "auth.login_slowed",
        request=request,
        scope="username",
        username=username,
        seconds=delay.wait,
        failures=delay.failures,
    )


def cache_unavailable(what: str, error: StoreUnavailable, *, fail_open: bool) -> None:
    global _last_outage_log
    outcome = "allowed" if fail_open else "refused"
    with _lock:
        _outages[outcome] += 1
        now = time.monotonic()
        due = now - _last_outage_log >= OUTAGE_LOG_INTERVAL
        if due:
            _last_outage_log = now
    if due:
        logger.error(
            "Rate-limit cache unavailable during %s; requests are %s (%s). "
            "Further errors are counted, logged at most every %.0f s.",
            what,
            outcome,
            error,
            OUTAGE_LOG_INTERVAL,
        )


def outage_counts() -> dict[str, int]:
    """Requests let through or refused because the cache was down, in this process."""
    with _lock:
        return dict(_outages)


def _actor(request: HttpRequest) -> Any:
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None
