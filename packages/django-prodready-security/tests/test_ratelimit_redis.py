"""Counters on a real Redis: atomic, one round trip per rule check, shared, expiring."""

import threading
import time
from collections import Counter
from collections.abc import Iterator

import pytest
import redis
from django.core.cache import cache
from django.test import Client, override_settings

from prodready_security.ratelimit.limiter import counter_name
from prodready_security.ratelimit.redis_store import RedisStore
from prodready_security.ratelimit.rules import parse_rule
from prodready_security.ratelimit.store import get_store
from tests.ratelimit_support import counting_redis_cache, redis_cache, redis_url

pytestmark = [pytest.mark.requires_redis, pytest.mark.urls("tests.ratelimit_support")]

RULE = {"name": "api", "paths": ["/api/"], "rate": "7/d"}


@pytest.fixture
def prefix() -> Iterator[str]:
    with redis_cache() as key_prefix:
        yield key_prefix


def test_the_store_is_the_lua_one(prefix: str) -> None:
    assert isinstance(get_store(), RedisStore)


@override_settings(PRODREADY_RATELIMIT_LEASE_MAX=1)
def test_concurrent_hits_get_distinct_counts(prefix: str) -> None:
    # Atomic INCR: 60 threads hitting one counter at once see 1..60, each exactly once
    # (with leases the counts stay distinct, but some are reserved ahead: test_ratelimit_leases).
    store = get_store()
    barrier = threading.Barrier(60)
    counts: list[int] = []

    def hit() -> None:
        barrier.wait()
        counts.append(store.hit("prodready:rl:test:concurrent", 60, 1000, "blocked:test"))

    threads = [threading.Thread(target=hit) for _ in range(60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) == list(range(1, 61))


@override_settings(PRODREADY_RATELIMIT_RULES=[RULE])
def test_exactly_the_limit_of_concurrent_requests_pass(prefix: str) -> None:
    requests, limit = 40, 7
    barrier = threading.Barrier(requests)
    statuses: list[int] = []

    def get() -> None:
        client = Client()
        barrier.wait()
        statuses.append(client.get("/api/items/").status_code)

    threads = [threading.Thread(target=get) for _ in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Counter(statuses) == {200: limit, 429: requests - limit}


@override_settings(PRODREADY_RATELIMIT_RULES=[RULE])
def test_one_round_trip_per_rule_check() -> None:
    with counting_redis_cache() as connection:
        client = Client()
        client.get("/api/items/")  # connects and, on a fresh server, loads the script
        before = connection.sent
        for _ in range(10):
            client.get("/api/items/")  # 3 allowed, then blocked: both cost one round trip
        assert connection.sent - before == 10


@override_settings(PRODREADY_RATELIMIT_RULES=[RULE, {**RULE, "name": "api-2", "rate": "100/h"}])
def test_one_round_trip_per_rule_with_two_rules() -> None:
    with counting_redis_cache() as connection:
        client = Client()
        client.get("/api/items/")
        before = connection.sent
        for _ in range(5):
            assert client.get("/api/items/").status_code == 200
        assert connection.sent - before == 10


@override_settings(PRODREADY_RATELIMIT_RULES=[RULE])
def test_counters_expire_with_their_window_and_carry_the_cache_prefix(prefix: str) -> None:
    Client().get("/api/items/")
    raw = redis.Redis.from_url(redis_url())
    keys = list(raw.scan_iter(f"{prefix}:*prodready:rl:api:*"))
    assert len(keys) == 1
    rule = parse_rule(0, RULE)
    assert 0 < raw.ttl(keys[0]) <= rule.rate.seconds + 1
    raw.close()


@override_settings(PRODREADY_RATELIMIT_RULES=[{**RULE, "rate": "2/d"}])
def test_a_limit_holds_across_processes_sharing_redis(prefix: str) -> None:
    # Another process is another connection and another Django cache object; the
    # counter is the same Redis key, so its requests count against the same limit.
    rule = parse_rule(0, {**RULE, "rate": "2/d"})
    name, _left = counter_name(rule, "ip:127.0.0.1", time.time())
    raw = redis.Redis.from_url(redis_url())
    raw.set(cache.make_key(name), 2, ex=60)  # as if two requests came through elsewhere
    raw.close()
    assert Client().get("/api/items/").status_code == 429


def test_django_builtin_redis_cache_uses_the_script(prefix: str) -> None:
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url(),
            "KEY_PREFIX": prefix,
        }
    }
    with override_settings(CACHES=caches):
        store = get_store()
        assert isinstance(store, RedisStore)
        assert [store.hit("prodready:rl:builtin", 60, 1, "blocked:b") for _ in range(2)] == [1, 2]
        assert store.metrics()["blocked:b"] == 1
