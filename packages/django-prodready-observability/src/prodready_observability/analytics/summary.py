"""The last hour of requests, read back from the cache: what the dashboard card shows."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import caches

from prodready_observability.analytics.store import BOUNDS, OTHER, _key, recorder
from prodready_observability.conf import conf
from prodready_observability.metrics.cache_counting import uncounted

HOUR = 60
SLOWEST = 5


@dataclass(frozen=True)
class RouteTiming:
    route: str
    requests: int
    mean_ms: float


@dataclass(frozen=True)
class Summary:
    requests: int
    last_minute: int  # requests in the last complete minute
    errors: int
    p95_ms: float | None  # upper bound of the latency bucket holding the 95th percentile
    slowest: tuple[RouteTiming, ...]

    @property
    def per_minute(self) -> float:
        return self.requests / HOUR

    @property
    def error_rate(self) -> float:
        return self.errors / self.requests if self.requests else 0.0


@uncounted()  # the dashboard's own figures are not the site's cache traffic
def last_hour(now: float | None = None) -> Summary | None:
    """None when the store is off (``PRODREADY_ANALYTICS_CACHE = None``)."""
    alias = conf.ANALYTICS_CACHE
    if alias is None:
        return None
    recorder.flush()  # this process's latest counts too
    cache = caches[alias]
    current = int((time.time() if now is None else now) // 60)
    minutes = range(current - HOUR + 1, current + 1)
    names = ["requests", "errors", "routes", *(f"bucket:{i}" for i in range(len(BOUNDS)))]
    found = cache.get_many([_key(minute, name) for minute in minutes for name in names])

    def total(name: str, among: range = minutes) -> int:
        return sum(int(found.get(_key(minute, name)) or 0) for minute in among)

    requests = total("requests")
    buckets = [total(f"bucket:{i}") for i in range(len(BOUNDS))]
    routes: dict[str, set[int]] = {}
    for minute in minutes:
        for route in found.get(_key(minute, "routes")) or []:
            routes.setdefault(route, set()).add(minute)
    return Summary(
        requests=requests,
        last_minute=total("requests", range(current - 1, current)),
        errors=total("errors"),
        p95_ms=_percentile(buckets, 0.95),
        slowest=_slowest(cache, routes),
    )


def _percentile(buckets: list[int], share: float) -> float | None:
    count = sum(buckets)
    if not count:
        return None
    seen = 0
    for bound, in_bucket in zip(BOUNDS, buckets, strict=True):
        seen += in_bucket
        if seen >= share * count:
            return bound * 1000
    return None  # pragma: no cover (the last bound is infinite)


def _slowest(cache: object, routes: dict[str, set[int]]) -> tuple[RouteTiming, ...]:
    from django.core.cache.backends.base import BaseCache

    if not isinstance(cache, BaseCache) or not routes:
        return ()
    keys = [
        _key(minute, f"route:{route}:{what}")
        for route, minutes in routes.items()
        for minute in minutes
        for what in ("count", "us")
    ]
    found = cache.get_many(keys)
    timings = []
    for route, minutes in routes.items():
        count = sum(int(found.get(_key(m, f"route:{route}:count")) or 0) for m in minutes)
        micros = sum(int(found.get(_key(m, f"route:{route}:us")) or 0) for m in minutes)
        if count and route != OTHER:
            timings.append(RouteTiming(route, count, micros / count / 1000))
    timings.sort(key=lambda timing: timing.mean_ms, reverse=True)
    return tuple(timings[:SLOWEST])
