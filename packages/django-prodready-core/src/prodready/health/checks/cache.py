"""Cache aliases: a unique key is written, read back and deleted."""

from __future__ import annotations

import uuid

from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache

from prodready.health.base import HealthCheck, HealthCheckError

# Long enough to read the key back, short enough that a failed delete leaves little behind.
KEY_TTL_SECONDS = 60


class CacheCheck(HealthCheck):
    """The cache stores and returns a value. Critical: sessions, rate limits and
    locks usually live in the cache, and most backends raise when it is down."""

    def __init__(self, alias: str) -> None:
        self.alias = alias
        self.name = f"cache:{alias}"

    def check(self) -> str | None:
        cache = caches[self.alias]
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
            raise HealthCheckError("a value written to the cache could not be read back")
        return None
