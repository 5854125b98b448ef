"""Checking a request against rules: one counter hit per matching rule.

Windows are fixed, as django-ratelimit's: a rule ``5/m`` allows five requests per
key in each minute-long window. Each key's windows are shifted by a stable
offset (django-ratelimit's jitter), so counters do not all reset at once.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import time
import zlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from prodready.conf import derived_from
from prodready_security.conf import conf
from prodready_security.ratelimit import events
from prodready_security.ratelimit.responses import service_unavailable, too_many_requests
from prodready_security.ratelimit.rules import Rule, parse_rules
from prodready_security.ratelimit.store import get_store
from prodready_security.ratelimit.types import StoreUnavailable

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

UNSAFE_KEY_CHARACTERS = re.compile(r"[^\w.-]")


def check(request: HttpRequest, rules: Sequence[Rule]) -> HttpResponse | None:
    """Count ``request`` against ``rules``; the refusal if one is exceeded, else None."""
    store = None
    for rule in rules:
        if not rule.applies_to_method(request.method):
            continue
        value = rule.key(rule.name, request)
        if value is None:
            continue
        name, seconds_left = counter_name(rule, value, time.time())
        try:
            store = store or get_store()
            count = store.hit(name, math.ceil(seconds_left) + 1, rule.rate.limit, metric(rule))
        except StoreUnavailable as exc:
            fail_open = conf.RATELIMIT_FAIL_OPEN if rule.fail_open is None else rule.fail_open
            events.cache_unavailable(f"rule {rule.name!r}", exc, fail_open=fail_open)
            if fail_open:
                continue
            return service_unavailable(request, api=rule.api)
        if count > rule.rate.limit:
            events.request_blocked(request, rule, count)
            return too_many_requests(request, seconds_left, api=rule.api)
    return None


def counter_name(rule: Rule, value: str, now: float) -> tuple[str, float]:
    """The counter of ``value`` under ``rule`` for the window holding ``now``, and the
    seconds left in that window."""
    digest = hashlib.sha256(f"{rule.name}\0{value}".encode()).hexdigest()[:32]
    period = rule.rate.seconds
    offset = zlib.crc32(digest.encode()) % period
    window = int((now + offset) // period)
    seconds_left = (window + 1) * period - offset - now
    return f"prodready:rl:{readable_name(rule.name)}:{digest}:{window}", seconds_left


# Of the name alone, never of settings: a bounded memo with nothing to forget.
@functools.lru_cache(maxsize=256)
def readable_name(name: str) -> str:
    """A rule's name as safe for any cache key (memcached refuses spaces)."""
    return UNSAFE_KEY_CHARACTERS.sub("_", name)[:40]


def metric(rule: Rule) -> str:
    return f"blocked:{rule.name}"


# --- the rules in force, parsed once per settings change ---------------------------


@derived_from("PRODREADY_RATELIMIT_RULES")
def active_rules() -> list[Rule]:
    """``PRODREADY_RATELIMIT_RULES`` parsed; raises RuleError if it is malformed."""
    return parse_rules(conf.RATELIMIT_RULES)
