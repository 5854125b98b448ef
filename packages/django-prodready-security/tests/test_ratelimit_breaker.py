"""A hung Redis costs the rate limiter one timeout per breaker interval, not per request.

The cache here has redis-py's plain pool: the limiter puts its own connection behind
the server's circuit breaker anyway. While Redis is frozen (connections accepted, never
answered), the first counted request waits its socket timeout; the next ones are not
sent to Redis at all, and the rule's fail-open or fail-closed policy applies at once.
"""

from __future__ import annotations

import time

import pytest
from django.test import Client, override_settings

from prodready.testing import RedisRoundTrips, RedisServer
from tests.ratelimit_support import redis_caches

pytestmark = [pytest.mark.urls("tests.ratelimit_support"), pytest.mark.requires_redis]

TIMEOUT = 0.5
REQUESTS = 6


@pytest.mark.parametrize(("fail_open", "status"), [(True, 200), (False, 503)])
def test_a_frozen_redis_is_waited_for_once_then_skipped(
    own_redis: RedisServer, monkeypatch: pytest.MonkeyPatch, fail_open: bool, status: int
) -> None:
    rules = [{"name": "api", "paths": ["/api/"], "rate": "1000/h", "fail_open": fail_open}]
    caches = redis_caches(
        f"{own_redis.url}/0", "breaker", SOCKET_CONNECT_TIMEOUT=TIMEOUT, SOCKET_TIMEOUT=TIMEOUT
    )
    # No leases, so every request needs Redis; a lease held through an outage is spent
    # first (test_ratelimit_leases).
    leases_off = {"PRODREADY_RATELIMIT_LEASE_MAX": 1}
    with override_settings(CACHES=caches, PRODREADY_RATELIMIT_RULES=rules, **leases_off):
        client = Client(raise_request_exception=False)
        assert client.get("/api/items/").status_code == 200  # counted, connection kept
        own_redis.freeze()
        attempts = RedisRoundTrips(monkeypatch)
        started = time.monotonic()
        statuses = [client.get("/api/items/").status_code for _ in range(REQUESTS)]
        elapsed = time.monotonic() - started
    assert statuses == [status] * REQUESTS
    assert attempts.count == 1, "only the first request waited for Redis"
    # One timeout, not one per request (a generous bound for a busy machine).
    assert elapsed < TIMEOUT * (REQUESTS - 2), elapsed
