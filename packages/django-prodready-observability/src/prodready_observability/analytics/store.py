"""Per-minute request counts in a cache every process shares, for the dashboard.

Each process adds up its requests in memory and adds them to the cache at most every
``FLUSH_SECONDS`` (and when the minute changes), with the cache's atomic ``incr``, so
counts from every worker add up and a request costs no cache round trip. Keys expire
after ``KEEP_MINUTES``: the cache cleans up by itself. Per minute at most
``PRODREADY_ANALYTICS_MAX_ROUTES`` routes are kept apart; the others count as
``<other>``. A process's last ``FLUSH_SECONDS`` of counts are lost when it exits.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache

from prodready_observability.conf import conf
from prodready_observability.metrics.definitions import LATENCY_BUCKETS

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 5.0
KEEP_MINUTES = 65
PREFIX = "prodready:analytics:v1"
OTHER = "<other>"
BOUNDS = (*LATENCY_BUCKETS, float("inf"))


@dataclass
class Minute:
    requests: int = 0
    errors: int = 0
    buckets: list[int] = field(default_factory=lambda: [0] * len(BOUNDS))
    routes: dict[str, list[int]] = field(default_factory=dict)  # route -> [count, total µs]


class Recorder:
    """One process's counts not yet in the cache."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[int, Minute] = {}
        self._flushed_at = time.monotonic()

    def record(
        self,
        route: str,
        status: int,
        duration: float,
        now: float | None = None,
        bucket: int | None = None,
    ) -> None:
        if bucket is None:
            bucket = bucket_of(duration)
        minute = int((time.time() if now is None else now) // 60)
        with self._lock:
            counts = self._pending.get(minute)
            if counts is None:
                counts = self._pending[minute] = Minute()
            counts.requests += 1
            if status >= 500:
                counts.errors += 1
            counts.buckets[bucket] += 1
            if route not in counts.routes and len(counts.routes) >= conf.ANALYTICS_MAX_ROUTES:
                route = OTHER
            per_route = counts.routes.setdefault(route, [0, 0])
            per_route[0] += 1
            per_route[1] += int(duration * 1_000_000)
            due = len(self._pending) > 1 or time.monotonic() - self._flushed_at >= FLUSH_SECONDS
        if due:
            self.flush()

    def flush(self) -> None:
        alias = conf.ANALYTICS_CACHE
        with self._lock:
            pending, self._pending = self._pending, {}
            self._flushed_at = time.monotonic()
        if alias is None or not pending:
            return
        try:
            cache = caches[alias]
            for minute, counts in pending.items():
                _add(cache, _key(minute, "requests"), counts.requests)
                _add(cache, _key(minute, "errors"), counts.errors)
                for index, count in enumerate(counts.buckets):
                    _add(cache, _key(minute, f"bucket:{index}"), count)
                known = cache.get(_key(minute, "routes")) or []
                new = [route for route in counts.routes if route not in known]
                if new:
                    cache.set(_key(minute, "routes"), [*known, *new], KEEP_MINUTES * 60)
                for route, (count, micros) in counts.routes.items():
                    _add(cache, _key(minute, f"route:{route}:count"), count)
                    _add(cache, _key(minute, f"route:{route}:us"), micros)
        except Exception:
            logger.exception("Request analytics could not be written to cache %r", alias)


def bucket_of(duration: float) -> int:
    """The index of the latency bucket ``duration`` (seconds) falls in."""
    for index, bound in enumerate(BOUNDS):
        if duration <= bound:
            return index
    return len(BOUNDS) - 1


def _key(minute: int, name: str) -> str:
    return f"{PREFIX}:{minute}:{name}"


def _add(cache: BaseCache, key: str, delta: int) -> None:
    if not delta:
        return
    if cache.add(key, delta, KEEP_MINUTES * 60):
        return
    try:
        cache.incr(key, delta)
    except ValueError:  # expired between add and incr
        cache.add(key, delta, KEEP_MINUTES * 60)


recorder = Recorder()
