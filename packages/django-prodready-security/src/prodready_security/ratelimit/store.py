"""Where counters and lockouts live: Redis when the cache is Redis, any Django cache otherwise.

Callers name things logically (``prodready:rl:login:...``); the store applies the
cache's ``KEY_PREFIX`` and ``VERSION`` so two sites can share one Redis.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any

from django.core.cache import caches

from prodready_security.conf import conf
from prodready_security.ratelimit import leases
from prodready_security.ratelimit.types import Store

if TYPE_CHECKING:
    from django.core.cache.backends.base import BaseCache
    from redis import Redis

# Each thread keeps the store it built (Django's cache objects are per thread too), until
# a setting it was built from changes: settings lookups cost more than the rest of a
# check outside its Redis round trip. A forked child builds its own, as a store may hold
# a connection of its own, and starts without leases (its parent may spend those).
_local = threading.local()
_generation = 0
# Rules too: a lease was sized for the limit in force when it was taken.
STORE_SETTINGS = (
    "CACHES",
    "PRODREADY_RATELIMIT_CACHE",
    "PRODREADY_RATELIMIT_LEASE_MAX",
    "PRODREADY_RATELIMIT_RULES",
)


def get_store() -> Store:
    """The store over the rate-limit cache (``PRODREADY_RATELIMIT_CACHE``)."""
    cached = getattr(_local, "store", None)
    if cached is not None and cached[0] == _generation:
        return cached[1]  # type: ignore[no-any-return]
    store = _build(caches[conf.RATELIMIT_CACHE])
    _local.store = (_generation, store)
    return store


def forget_stores(*, setting: str, **kwargs: Any) -> None:
    """``setting_changed`` receiver (connected in ``AppConfig.ready``)."""
    if setting in STORE_SETTINGS:
        _forget_all()


def _forget_all() -> None:
    global _generation
    _generation += 1
    leases.forget()  # they were taken from the counters of the cache left behind


os.register_at_fork(after_in_child=_forget_all)


def _build(cache: BaseCache) -> Store:
    client = raw_redis_client(cache)
    if client is not None:
        from prodready_security.ratelimit.redis_store import RedisStore

        # Below 1 is prodready_security.E013; until it is fixed, no leases.
        lease_max = max(1, conf.RATELIMIT_LEASE_MAX)
        return RedisStore(cache, client, lease_max, leases.book())
    from prodready_security.ratelimit.cache_store import CacheStore

    return CacheStore(cache)


def raw_redis_client(cache: BaseCache) -> Redis | None:
    """The redis-py client behind a django-redis or Django Redis cache, else None."""
    from django.core.cache.backends.redis import RedisCache
    from django_redis.cache import (  # type: ignore[import-untyped, unused-ignore]
        RedisCache as DjangoRedisCache,
    )

    if isinstance(cache, DjangoRedisCache):
        # What django_redis.get_redis_connection() returns, without the alias lookup.
        return cache.client.get_client(write=True)  # type: ignore[no-any-return]
    if isinstance(cache, RedisCache):
        return cache._cache.get_client(write=True)
    return None
