"""Counters in any Django cache, for development and for caches that are not Redis.

``cache.add()`` then ``cache.incr()``, as django-ratelimit counts: two round trips,
and only as atomic as the backend's ``incr`` (memcached's is; the local-memory
cache's is within one process only), and one count per request: no leases, which
need the reservation capped at the limit in one atomic step. A lockout stores when
it ends, since the cache API cannot tell a key's remaining time. The readiness
report flags a per-process cache (``prodready_security.R001``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from prodready_security.ratelimit.types import (
    METRICS_NAME,
    LoginDelay,
    LoginFailure,
    LoginKeys,
    SlowKeys,
    StoreUnavailable,
)

if TYPE_CHECKING:
    from django.core.cache.backends.base import BaseCache

T = TypeVar("T")


class CacheStore:
    def __init__(self, cache: BaseCache) -> None:
        self.cache = cache

    def hit(self, name: str, ttl: int, limit: int, metric: str) -> int:
        count = self._guard(lambda: self._incr(name, ttl))
        if count > limit:
            self._guard(lambda: self._bump_metric(metric))
        return count

    def login_failed(
        self, keys: LoginKeys, limit: int, window: int, base: float, maximum: float, metric: str
    ) -> LoginFailure:
        return self._guard(lambda: self._login_failed(keys, limit, window, base, maximum, metric))

    def login_slowed(
        self, keys: SlowKeys, limit: int, window: int, base: float, maximum: float, metric: str
    ) -> LoginDelay:
        return self._guard(lambda: self._login_slowed(keys, limit, window, base, maximum, metric))

    def locked_for(self, locks: Sequence[str]) -> float:
        found = self._guard(lambda: self.cache.get_many(list(locks)))
        now = time.time()
        return max((until - now for until, _level in found.values()), default=0.0)

    def clear(self, names: Sequence[str]) -> None:
        self._guard(lambda: self.cache.delete_many(list(names)))

    def metrics(self) -> dict[str, int]:
        return dict(self._guard(lambda: self.cache.get(METRICS_NAME, {})))

    def note(self, register: str, field: str, value: str, ttl: int) -> None:
        def update() -> None:
            fields: dict[str, str] = self.cache.get(register, {})
            self.cache.set(register, {**fields, field: value}, ttl)

        self._guard(update)

    def notes(self, register: str) -> dict[str, str]:
        return dict(self._guard(lambda: self.cache.get(register, {})))

    def unnote(self, register: str, fields: Sequence[str]) -> None:
        def update() -> None:
            kept = {
                field: value
                for field, value in self.cache.get(register, {}).items()
                if field not in fields
            }
            self.cache.set(register, kept, None)

        self._guard(update)

    def _incr(self, name: str, ttl: int) -> int:
        self.cache.add(name, 0, ttl)
        try:
            return self.cache.incr(name)
        except ValueError:  # expired between add() and incr(): a fresh window
            self.cache.add(name, 1, ttl)
            return 1

    def _login_failed(
        self, keys: LoginKeys, limit: int, window: int, base: float, maximum: float, metric: str
    ) -> LoginFailure:
        now = time.time()
        lock = self.cache.get(keys.lock)
        if lock is not None and lock[0] > now:
            return LoginFailure(0, lock[0] - now, False, lock[1])
        failures = self._incr(keys.failures, window)
        if failures < limit:
            return LoginFailure(failures, 0.0, False, 0)
        level = int(self.cache.get(keys.level, 0)) + 1
        seconds = min(base * 2 ** (level - 1), maximum)
        self.cache.set(keys.lock, (now + seconds, level), seconds)
        self.cache.set(keys.level, level, seconds + maximum)
        self.cache.delete(keys.failures)
        self._bump_metric(metric)
        return LoginFailure(failures, seconds, True, level)

    def _login_slowed(
        self, keys: SlowKeys, limit: int, window: int, base: float, maximum: float, metric: str
    ) -> LoginDelay:
        failures = self._incr(keys.failures, window)
        if failures < limit:
            return LoginDelay(failures, 0.0, False)
        seconds = min(base * 2 ** (failures - limit), maximum)
        self.cache.set(keys.wait, (time.time() + seconds, 0), seconds)
        if failures == limit:
            self._bump_metric(metric)
        return LoginDelay(failures, seconds, failures == limit)

    def _bump_metric(self, metric: str) -> None:
        counts: dict[str, int] = self.cache.get(METRICS_NAME, {})
        counts[metric] = counts.get(metric, 0) + 1
        self.cache.set(METRICS_NAME, counts, None)

    def _guard(self, operation: Callable[[], T]) -> T:
        try:
            return operation()
        except Exception as exc:
            # Each backend fails its own way (socket errors, DatabaseError, pymemcache's
            # exceptions): any error from the cache is an outage to the caller.
            raise StoreUnavailable(f"{type(exc).__name__}: {exc}") from exc
