"""Which cache settings turn a cache outage into errors on pages.

Django's own Redis and Memcached backends raise when their server is down, and so does
every caller: ``cached_db`` sessions re-filling the cache, a view's ``cache.get()``,
any third-party app. Configured to ignore errors (django-redis ``IGNORE_EXCEPTIONS``,
pymemcache ``ignore_exc``) an outage reads as cache misses instead. A Redis cache also
needs socket timeouts, or a hung server holds every request, and the circuit breaker
pool (:mod:`prodready.redis_breaker`), or every call waits out the timeout.

Read by readiness finding ``prodready.R010`` and by the cache health check: a cache
whose outage only costs misses does not make the site unready.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

DJANGO_REDIS = "django_redis.cache.RedisCache"
DJANGO_BUILTIN_REDIS = "django.core.cache.backends.redis.RedisCache"
PYMEMCACHE = "django.core.cache.backends.memcached.PyMemcacheCache"
PYLIBMC = "django.core.cache.backends.memcached.PyLibMCCache"
CACHE_SESSIONS = "django.contrib.sessions.backends.cache"
BREAKER_POOL = "prodready.redis_breaker.BreakerConnectionPool"
# Option names: (connect timeout, read timeout, pool class) of each Redis backend.
REDIS_OPTIONS = {
    DJANGO_REDIS: ("SOCKET_CONNECT_TIMEOUT", "SOCKET_TIMEOUT", "CONNECTION_POOL_CLASS"),
    DJANGO_BUILTIN_REDIS: ("socket_connect_timeout", "socket_timeout", "pool_class"),
}


def degrades(config: dict[str, Any]) -> bool:
    """Whether this cache answers "miss" instead of raising while its server is down."""
    backend = config.get("BACKEND", "")
    options = config.get("OPTIONS") or {}
    if backend == DJANGO_REDIS:
        default = getattr(settings, "DJANGO_REDIS_IGNORE_EXCEPTIONS", False)
        return bool(options.get("IGNORE_EXCEPTIONS", default))
    if backend == PYMEMCACHE:
        return bool(options.get("ignore_exc"))
    return False


def problems() -> list[str]:
    """What in CACHES and SESSION_ENGINE turns a cache outage into errors (empty: nothing)."""
    found = []
    caches: dict[str, dict[str, Any]] = settings.CACHES
    for alias, config in caches.items():
        found += [f"CACHES[{alias!r}] {problem}" for problem in cache_problems(config)]
    if settings.SESSION_ENGINE == CACHE_SESSIONS:
        found.append(
            "SESSION_ENGINE keeps sessions only in the cache: an outage signs everyone out "
            "and no new session can be created"
        )
    return found


def cache_problems(config: dict[str, Any]) -> list[str]:
    backend = config.get("BACKEND", "")
    options = config.get("OPTIONS") or {}
    if backend in (PYMEMCACHE, PYLIBMC):
        return [] if degrades(config) else ["raises while Memcached is down"]
    if backend not in REDIS_OPTIONS:
        return []  # local memory, files, the database: no server of their own
    found = []
    if not degrades(config):
        found.append("raises while Redis is down")
    connect_timeout, read_timeout, pool_option = REDIS_OPTIONS[backend]
    missing = [name for name in (connect_timeout, read_timeout) if options.get(name) is None]
    if missing:
        found.append(f"waits for a hung Redis without limit ({' and '.join(missing)} unset)")
    if not is_breaker_pool(options.get(pool_option)):
        found.append(f"waits out the timeout on every call while Redis is down ({pool_option})")
    return found


def is_breaker_pool(pool: Any) -> bool:
    if isinstance(pool, str):
        if pool == BREAKER_POOL:
            return True
        try:
            pool = import_string(pool)
        except ImportError:
            return False  # Django reports the bad path when the cache is first used
    return isinstance(pool, type) and any(
        f"{cls.__module__}.{cls.__qualname__}" == BREAKER_POOL for cls in pool.__mro__
    )
