"""Rate-limit metrics for the ``prodready_metrics`` hook, as a prometheus-client collector.

Blocked requests and lockouts are counted in the rate-limit cache itself (inside
the same Lua script as the check, so at no extra round trip), so every worker
and host reports the same totals. Requests let through or refused while that
cache was down cannot be counted there: those counts are per process.

prometheus-client is the metrics package's library, not this one's: it is
imported only when a registry collects, which only happens where it is installed.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from prodready_security.ratelimit import events
from prodready_security.ratelimit.store import get_store
from prodready_security.ratelimit.types import StoreUnavailable

logger = logging.getLogger(__name__)

FAMILIES = {
    "blocked": (
        "prodready_ratelimit_blocked",
        "Requests refused with 429 by a rate-limit rule (all processes).",
        "rule",
    ),
    "lockouts": (
        "prodready_login_lockouts",
        "Login lockouts started, by scope (all processes).",
        "scope",
    ),
    "slowed": (
        "prodready_login_slowed",
        "Usernames whose failed logins passed their rate, so each address waits (all processes).",
        "scope",
    ),
    "outages": (
        "prodready_ratelimit_cache_unavailable",
        "Checks made while the rate-limit cache was down, by outcome (this process).",
        "outcome",
    ),
}


@dataclass(frozen=True)
class Sample:
    family: str  # a key of FAMILIES
    label: str
    value: int


def samples() -> list[Sample]:
    """Every current count; the shared ones are left out while the cache is down."""
    found = [
        Sample("outages", outcome, count) for outcome, count in events.outage_counts().items()
    ]
    try:
        shared = get_store().metrics()
    except StoreUnavailable as exc:
        logger.warning("Rate-limit metrics left out: the cache is unavailable (%s)", exc)
        shared = {}
    for field, count in sorted(shared.items()):
        family, _, label = field.partition(":")
        if family in FAMILIES:
            found.append(Sample(family, label, count))
    return found


class RateLimitCollector:
    """A custom prometheus-client collector: ``registry.register(RateLimitCollector())``."""

    def collect(self) -> Iterator[Any]:
        core = importlib.import_module("prometheus_client.core")
        families = {
            key: core.CounterMetricFamily(name, help_text, labels=[label])
            for key, (name, help_text, label) in FAMILIES.items()
        }
        for sample in samples():
            families[sample.family].add_metric([sample.label], sample.value)
        yield from families.values()
