"""Leases: a rule far from its limit costs one Redis round trip per lease, not per request,
and the limit still holds exactly across threads and processes."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
import warnings
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
import redis
from django.core.cache import cache
from django.test import Client, RequestFactory, override_settings

from prodready.testing import RedisRoundTrips, RedisServer
from prodready_security.ratelimit import leases, limiter
from prodready_security.ratelimit.leases import LeaseBook
from prodready_security.ratelimit.rules import parse_rule
from prodready_security.ratelimit.store import get_store
from prodready_security.ratelimit.types import Store
from tests import ratelimit_lease_process
from tests.ratelimit_support import redis_cache, redis_caches, redis_url

pytestmark = [pytest.mark.requires_redis, pytest.mark.urls("tests.ratelimit_support")]

MILLION = 1_000_000
FAR = {"name": "far", "paths": ["/api/"], "rate": f"{MILLION}/d"}
COUNTER = "prodready:rl:test:leases"


@pytest.fixture
def prefix() -> Iterator[str]:
    with redis_cache() as key_prefix:
        yield key_prefix


def set_counter(name: str, value: int) -> None:
    """As if other processes had counted ``value`` requests already."""
    raw = redis.Redis.from_url(redis_url())
    raw.set(cache.make_key(name), value, ex=3600)
    raw.close()


def counter(name: str) -> int:
    raw = redis.Redis.from_url(redis_url())
    value = int(raw.get(cache.make_key(name)) or 0)
    raw.close()
    return value


def hit(store: Store, limit: int = MILLION, name: str = COUNTER) -> int:
    return store.hit(name, 3600, limit, "blocked:leases")


@override_settings(PRODREADY_RATELIMIT_RULES=[FAR])
def test_a_far_rule_costs_one_round_trip_per_lease(
    prefix: str, redis_round_trips: RedisRoundTrips
) -> None:
    client = Client()
    assert client.get("/api/items/").status_code == 200  # connects; takes a lease of 100
    redis_round_trips.count = 0
    assert {client.get("/api/items/").status_code for _ in range(99)} == {200}
    assert redis_round_trips.count == 0  # the rest of the lease, spent locally
    assert {client.get("/api/items/").status_code for _ in range(200)} == {200}
    assert redis_round_trips.count == 2  # two more leases of 100


def test_a_lease_is_a_hundredth_of_the_headroom(
    prefix: str, redis_round_trips: RedisRoundTrips
) -> None:
    store = get_store()
    hit(store, name=f"{COUNTER}:warm-up")
    set_counter(COUNTER, MILLION - 1000)
    redis_round_trips.count = 0
    assert [hit(store) for _ in range(10)] == list(range(MILLION - 999, MILLION - 989))
    assert redis_round_trips.count == 1
    assert counter(COUNTER) == MILLION - 990  # reserved: 10 counts


def test_near_the_limit_every_request_is_counted_in_redis(
    prefix: str, redis_round_trips: RedisRoundTrips
) -> None:
    # Under 200 left, a hundredth is less than one: a lease of one, a round trip each.
    store = get_store()
    hit(store, name=f"{COUNTER}:warm-up")
    set_counter(COUNTER, MILLION - 150)
    redis_round_trips.count = 0
    counts = [hit(store) for _ in range(153)]
    assert counts == list(range(MILLION - 149, MILLION + 4))  # 150 allowed, 3 refused
    assert redis_round_trips.count == 153
    assert store.metrics()["blocked:leases"] == 3  # each refused request, once


def test_threads_share_leases_and_get_exactly_the_limit(prefix: str) -> None:
    limit, threads = 3050, 8  # not a multiple of a lease
    barrier = threading.Barrier(threads)
    counts: list[int] = []

    def spend() -> None:
        store = get_store()  # each thread's own store, over the process's leases
        barrier.wait()
        mine = []
        while (count := hit(store, limit)) <= limit:
            mine.append(count)
        counts.extend(mine)

    workers = [threading.Thread(target=spend) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    # Every thread ran until refused, so nothing reserved was left unspent.
    assert sorted(counts) == list(range(1, limit + 1))
    assert counter(COUNTER) == limit + threads  # one refused request per thread


def test_processes_holding_leases_never_pass_the_limit(prefix: str) -> None:
    limit, processes = 20_050, 3
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(processes)
    results = context.Queue()
    workers = [
        context.Process(
            target=ratelimit_lease_process.run,
            args=(redis_url(), prefix, COUNTER, limit, start, results),
        )
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    found = [results.get(timeout=120) for _ in range(processes)]
    for worker in workers:
        worker.join(timeout=30)
    assert [worker.exitcode for worker in workers] == [0] * processes
    counts = sorted(count for spent, _trips in found for count in spent)
    # Each ran until refused: every count up to the limit handed out once, none above it.
    assert counts == list(range(1, limit + 1))
    assert counter(COUNTER) == limit + processes
    assert get_store().metrics()["blocked:processes"] == processes
    # About 800 leases in all (100 while far, then 1/100 of the headroom, then ones).
    assert sum(trips for _spent, trips in found) < limit / 10


def test_a_lease_is_not_spent_in_the_next_window(
    prefix: str, redis_round_trips: RedisRoundTrips, monkeypatch: pytest.MonkeyPatch
) -> None:
    rule = parse_rule(0, {**FAR, "rate": f"{MILLION}/m"})
    request = RequestFactory().get("/api/items/")
    now = 1_800_000_000.0

    def check_at(moment: float) -> None:
        monkeypatch.setattr(limiter, "time", SimpleNamespace(time=lambda: moment))
        assert limiter.check(request, [rule]) is None

    check_at(now - 3600)  # connects
    redis_round_trips.count = 0
    check_at(now)
    check_at(now)
    assert redis_round_trips.count == 1
    check_at(now + 60)  # the next minute: a counter of its own
    assert redis_round_trips.count == 2


def test_a_forked_child_does_not_spend_its_parents_lease(prefix: str) -> None:
    store = get_store()
    assert hit(store) == 1  # and 2 to 100 leased
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads (3.12+)
        pid = os.fork()
    if pid == 0:  # the child: counts in Redis, not from the lease it inherited
        try:
            os._exit(0 if hit(get_store()) == 101 else 1)
        finally:
            os._exit(2)
    _pid, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert hit(store) == 2  # the parent's lease is still its own


def test_a_lease_held_through_an_outage_is_spent_then_the_policy_applies(
    own_redis: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Those requests were counted before Redis hung; after them a fail-closed rule
    # refuses, waiting one timeout, then none while the breaker is open.
    rules = [{**FAR, "fail_open": False}]
    caches = redis_caches(
        f"{own_redis.url}/0", "leases", SOCKET_CONNECT_TIMEOUT=0.5, SOCKET_TIMEOUT=0.5
    )
    with override_settings(CACHES=caches, PRODREADY_RATELIMIT_RULES=rules):
        client = Client(raise_request_exception=False)
        assert client.get("/api/items/").status_code == 200  # a lease of 100
        own_redis.freeze()
        attempts = RedisRoundTrips(monkeypatch)
        statuses = [client.get("/api/items/").status_code for _ in range(101)]
    assert statuses == [200] * 99 + [503] * 2
    assert attempts.count == 1


def test_other_caches_count_every_request() -> None:
    store = get_store()  # the local-memory cache of the test settings
    assert [hit(store, name=f"{COUNTER}:locmem") for _ in range(3)] == [1, 2, 3]


# --- the lease book ------------------------------------------------------------------


def test_each_count_is_handed_out_once_in_order() -> None:
    book = LeaseBook()
    book.keep("a", range(2, 4), 60)
    book.keep("a", range(10, 12), 60)  # another thread's lease of the same counter
    book.keep("b", range(0), 60)  # nothing to keep
    assert [book.spend("a") for _ in range(5)] == [2, 3, 10, 11, None]
    assert book.spend("b") is None
    assert book.held() == 0


def test_a_full_book_drops_ended_windows_then_the_oldest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(leases, "MAX_HELD", 3)
    book = LeaseBook()
    book.keep("ended", range(1, 5), -1)
    book.keep("old", range(1, 5), 60)
    book.keep("new", range(1, 5), 60)
    book.keep("newer", range(1, 5), 60)  # room made by the ended window
    assert [book.spend(key) for key in ("ended", "old", "new", "newer")] == [None, 1, 1, 1]
    book.keep("newest", range(1, 5), 60)  # full: the oldest goes
    assert [book.spend(key) for key in ("old", "newest")] == [None, 1]


def test_a_new_limit_is_not_spent_from_a_lease_of_the_old_one(prefix: str) -> None:
    client = Client()
    with override_settings(PRODREADY_RATELIMIT_RULES=[FAR]):
        assert client.get("/api/items/").status_code == 200  # and 99 more leased
    name, _left = limiter.counter_name(parse_rule(0, FAR), "ip:127.0.0.1", time.time())
    set_counter(name, 1000)  # as if other processes had counted the rest
    with override_settings(PRODREADY_RATELIMIT_RULES=[{**FAR, "rate": "1000/d"}]):
        assert client.get("/api/items/").status_code == 429
