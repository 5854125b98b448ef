"""Per-minute request counts in a cache every process shares, for the dashboard.

Each process adds up its requests in memory; a background thread adds them to the cache
every ``FLUSH_SECONDS`` with the cache's atomic ``incr``, so counts from every worker add
up and a request never waits for the cache. Keys expire after ``KEEP_MINUTES``: the
cache cleans up by itself. Per minute at most ``PRODREADY_ANALYTICS_MAX_ROUTES`` routes
are kept apart; the others count as ``<other>``.

The flush sits behind core's circuit breaker: after a failed flush (a hung cache costs
the thread one timeout) the next ones are skipped for ``PRODREADY_BREAKER_SECONDS``,
keeping the counts in memory (the last ``KEEP_MINUTES`` of them) until the cache answers.
A failed flush's counts are dropped, since some may have been added already. A process's
last ``FLUSH_SECONDS`` of counts are lost when it exits. Each flush also adds the cache
hits and misses counted since the last one (``metrics.cache_minutes``) to its minute.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache

from prodready.breaker import breaker
from prodready_observability.conf import conf
from prodready_observability.metrics import cache_minutes
from prodready_observability.metrics.cache_counting import uncounted
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
    """One process's counts not yet in the cache, and the thread that writes them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._writing = threading.Lock()  # one flush at a time: flush() returns written
        self._pending: dict[int, Minute] = {}
        self._flusher: threading.Thread | None = None

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
            if self._flusher is None:
                self._flusher = threading.Thread(
                    target=self._flush_every_interval, name="prodready-analytics", daemon=True
                )
                self._flusher.start()

    def _flush_every_interval(self) -> None:
        """Flush while there are counts; end when an interval brought none (record()
        starts another thread), so an idle process holds no thread."""
        while True:
            time.sleep(FLUSH_SECONDS)
            try:
                self.flush()
            except Exception:  # an unusable setting: say so, and keep the thread flushing
                logger.exception("Request analytics could not be flushed")
            with self._lock:
                if not self._pending:
                    self._flusher = None
                    return

    def flush(self) -> None:
        """Add the counts so far to the cache, unless its breaker is open."""
        alias = conf.ANALYTICS_CACHE
        with self._writing:
            with self._lock:
                pending, self._pending = self._pending, {}
            reads = cache_minutes.for_store.take()
            if alias is None or not (pending or reads):
                return
            state = breaker(f"the analytics cache {alias!r}")
            if not state.allow():
                self._keep(pending)
                cache_minutes.for_store.put_back(reads)
                return
            try:
                cache = caches[alias]
                with uncounted():  # the store's own reads are not the site's
                    _write(cache, pending)
                minute = int(time.time() // 60)
                for (cache_alias, result), count in reads.items():
                    _add(cache, _key(minute, cache_minutes.name(cache_alias, result)), count)
            except Exception as exc:
                state.failed(exc)
                logger.exception("Request analytics could not be written to cache %r", alias)
            else:
                state.succeeded()

    def _keep(self, pending: dict[int, Minute]) -> None:
        """Put counts back for a later flush, forgetting minutes the cache would not keep."""
        oldest = int(time.time() // 60) - KEEP_MINUTES
        with self._lock:
            for minute, counts in pending.items():
                if minute >= oldest:
                    _merge(self._pending.setdefault(minute, Minute()), counts)

    def forget(self) -> None:
        """Drop the counts and the thread (a forked child inherits neither's worth)."""
        self._lock = threading.Lock()
        self._writing = threading.Lock()
        self._pending = {}
        self._flusher = None


def _write(cache: BaseCache, pending: dict[int, Minute]) -> None:
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


def _merge(into: Minute, counts: Minute) -> None:
    into.requests += counts.requests
    into.errors += counts.errors
    into.buckets = [a + b for a, b in zip(into.buckets, counts.buckets, strict=True)]
    for route, (count, micros) in counts.routes.items():
        if route not in into.routes and len(into.routes) >= conf.ANALYTICS_MAX_ROUTES:
            route = OTHER
        per_route = into.routes.setdefault(route, [0, 0])
        per_route[0] += count
        per_route[1] += micros


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
os.register_at_fork(after_in_child=recorder.forget)
