"""Cache aliases: a unique key is written, read back and deleted."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.dummy import DummyCache

from prodready.cache_outage import degrades
from prodready.conf import derived_from
from prodready.health.base import HealthCheck, HealthCheckError

# Long enough to read the key back, short enough that a failed delete leaves little behind.
KEY_TTL_SECONDS = 60
# Django's Redis backend keeps a connection pool per cache object, and cache objects
# are per thread: each check, in a thread of its own, would open a new connection.
# Its client is thread-safe, so the checks share one object per alias instead.
SHARED_BACKENDS = frozenset({"django.core.cache.backends.redis.RedisCache"})


@derived_from("CACHES")
def _shared() -> dict[str, BaseCache]:
    return {}


def cache_for_checks(alias: str) -> BaseCache:
    """The cache object a check of ``alias`` uses: shared across threads where that is safe."""
    if settings.CACHES[alias]["BACKEND"] not in SHARED_BACKENDS:
        return caches[alias]
    shared = _shared()
    cache = shared.get(alias)
    if cache is None:
        cache = shared.setdefault(alias, caches.create_connection(alias))
    return cache


class CacheCheck(HealthCheck):
    """The cache stores and returns a value. Critical unless an outage only costs
    misses (``prodready.cache_outage.degrades``): most backends raise when they are
    down, and so do the sessions, rate limits and locks kept in them."""

    def __init__(self, alias: str) -> None:
        self.alias = alias
        self.name = f"cache:{alias}"
        self.critical = not degrades(settings.CACHES.get(alias, {}))

    def check(self) -> str | None:
        cache = cache_for_checks(self.alias)
        if isinstance(cache, DummyCache):
            return "dummy backend: stores nothing, nothing to check"
        key = f"prodready:health:{uuid.uuid4().hex}"
        value = uuid.uuid4().hex
        try:
            cache.set(key, value, timeout=KEY_TTL_SECONDS)
            try:
                read_back = cache.get(key)
            finally:
                cache.delete(key)
        except Exception as exc:
            # Client errors may name hosts: the message says what kind, the log says more.
            raise HealthCheckError(
                f"the cache failed ({type(exc).__name__}); see the server log"
            ) from exc
        if read_back != value:
            if not self.critical:  # it ignores errors: a lost value is how an outage looks
                raise HealthCheckError(
                    "a value written to the cache could not be read back; this cache "
                    "ignores errors, so its server is probably unreachable (pages get misses)"
                )
            raise HealthCheckError("a value written to the cache could not be read back")
        return None
