"""Where counters and lockouts live: Redis when the cache is Redis, any Django cache otherwise.

Callers name things logically (``prodready:rl:login:...``); the store applies the
cache's ``KEY_PREFIX`` and ``VERSION`` so two sites can share one Redis.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from django.core.cache import caches

from prodready.conf import derived_from
from prodready_security.conf import conf
from prodready_security.ratelimit import leases
from prodready_security.ratelimit.types import Store

if TYPE_CHECKING:
    from django.core.cache.backends.base import BaseCache
    from redis import Redis


# Each thread keeps the store it built (Django's cache objects are per thread too), until
# a setting it was built from changes: settings lookups cost more than the rest of a
# check outside its Redis round trip. It holds the lease book, so it follows the book's
# settings (its own and the rules).
@derived_from(*leases.BOOK_SETTINGS, per_thread=True)
def get_store() -> Store:
    """The store over the rate-limit cache (``PRODREADY_RATELIMIT_CACHE``)."""
    return _build(caches[conf.RATELIMIT_CACHE])


# A forked child builds its own, as a store may hold a connection of its own.
os.register_at_fork(after_in_child=get_store.forget)


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
