"""Readiness findings of rate limiting (``prodready_readiness_findings``).

- ``prodready_security.R001`` (security) rate limits are counted in a cache shared
  by every process, with atomic increments
- ``prodready_security.R002`` (deployment) the Redis rate-limit cache gives up
  quickly (socket timeouts), so fail-open or fail-closed happens within a request
- ``prodready_security.R003`` (security) behind a proxy, django-ratelimit's
  ``@ratelimit`` decorator resolves the client address like the middleware does
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from prodready import Finding
from prodready.conf import conf as core_conf
from prodready_security.conf import conf

# Backends whose counts stay in one process (or one disk), or whose incr is get-then-set.
NOT_SHARED = {
    "django.core.cache.backends.locmem.LocMemCache": "keeps counts in each process",
    "django.core.cache.backends.dummy.DummyCache": "counts nothing",
    "django.core.cache.backends.filebased.FileBasedCache": "keeps counts on one machine's "
    "disk and does not increment atomically",
    "django.core.cache.backends.db.DatabaseCache": "does not increment atomically",
}
REDIS_TIMEOUTS = {
    "django_redis.cache.RedisCache": ("SOCKET_CONNECT_TIMEOUT", "SOCKET_TIMEOUT"),
    "django.core.cache.backends.redis.RedisCache": ("socket_connect_timeout", "socket_timeout"),
}
CLIENT_IP = "prodready.client_ip.client_ip"


def findings() -> list[Finding]:
    found = []
    alias = conf.RATELIMIT_CACHE
    cache = settings.CACHES.get(alias) if isinstance(alias, str) else None
    if isinstance(cache, dict):  # a missing alias is prodready_security.E006
        found.append(shared_cache(cache))
        if cache.get("BACKEND") in REDIS_TIMEOUTS:
            found.append(redis_timeouts(cache))
    found.append(decorator_client_address())
    return found


def shared_cache(cache: dict[str, Any]) -> Finding:
    backend = cache.get("BACKEND", "")
    problem = NOT_SHARED.get(backend)
    return Finding(
        "prodready_security.R001",
        "security",
        "Rate limits are counted in a shared cache",
        problem is None,
        fix=f"Point PRODREADY_RATELIMIT_CACHE ({conf.RATELIMIT_CACHE!r}) at a Redis cache "
        "(BACKEND 'django_redis.cache.RedisCache'), so every worker and host counts "
        "against the same limit.",
        weight=3,
        detail="" if problem is None else f"{backend} {problem}.",
    )


def redis_timeouts(cache: dict[str, Any]) -> Finding:
    options = cache.get("OPTIONS") or {}
    wanted = REDIS_TIMEOUTS[cache["BACKEND"]]
    missing = [name for name in wanted if options.get(name) is None]
    return Finding(
        "prodready_security.R002",
        "deployment",
        "The rate-limit cache gives up quickly when Redis does not answer",
        not missing,
        fix=f"Set {' and '.join(missing) or 'the timeouts'} in the OPTIONS of cache "
        f"{conf.RATELIMIT_CACHE!r} (for example 0.5 seconds), so a hung Redis fails open "
        "or closed at once instead of holding every request.",
        weight=2,
        detail=f"Missing: {', '.join(missing)}." if missing else "",
    )


def decorator_client_address() -> Finding:
    behind_proxy = bool(core_conf.TRUSTED_PROXIES)
    meta_key = getattr(settings, "RATELIMIT_IP_META_KEY", None)
    passed = not behind_proxy or meta_key == CLIENT_IP
    return Finding(
        "prodready_security.R003",
        "security",
        "@ratelimit decorators see the real client address behind the proxy",
        passed,
        fix=f"Set RATELIMIT_IP_META_KEY = {CLIENT_IP!r}, so django-ratelimit resolves the "
        "address like the middleware (X-Forwarded-For only from PRODREADY_TRUSTED_PROXIES).",
        weight=2,
        detail=""
        if passed
        else f"PRODREADY_TRUSTED_PROXIES is set and RATELIMIT_IP_META_KEY is {meta_key!r}: "
        "decorators would count every client as the proxy.",
    )
