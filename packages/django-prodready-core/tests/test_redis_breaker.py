"""The breaker pool against a redis-server of the test's own, frozen, stopped and back."""

import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.core.cache import caches
from django.test import override_settings

from prodready import breaker
from prodready.redis_breaker import BreakerConnectionPool, BreakerOpen, with_breaker
from prodready.testing import RedisServer

pytestmark = pytest.mark.requires_redis

TIMEOUT = 0.3  # socket timeouts of the caches below
INTERVAL = 0.5  # PRODREADY_BREAKER_SECONDS in these tests


class CountingConnection(redis.Connection):
    """A real connection that counts the commands it puts on the wire."""

    sent = 0

    def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        CountingConnection.sent += 1
        super().send_packed_command(command, check_health)


@pytest.fixture
def server() -> Iterator[RedisServer]:
    breaker.reset()
    CountingConnection.sent = 0
    with RedisServer() as running, override_settings(PRODREADY_BREAKER_SECONDS=INTERVAL):
        yield running
        if not running.running:
            return
        running.thaw()  # a frozen server would not die before its stop signal is read


def cache_settings(server: RedisServer, **options: Any) -> dict[str, Any]:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"{server.url}/0",
            "OPTIONS": {
                "pool_class": "prodready.redis_breaker.BreakerConnectionPool",
                "connection_class": CountingConnection,
                "socket_connect_timeout": TIMEOUT,
                "socket_timeout": TIMEOUT,
                **options,
            },
        }
    }


def outcome(call: Any) -> str:
    try:
        call()
    except BreakerOpen:
        return "skipped"
    except redis.TimeoutError:
        return "timeout"
    except redis.ConnectionError:
        return "refused"
    return "ok"


def test_a_frozen_server_costs_one_timeout_then_calls_fail_at_once(server: RedisServer) -> None:
    with override_settings(CACHES=cache_settings(server)):
        cache = caches["default"]
        cache.set("key", "value")
        server.freeze()
        sent = CountingConnection.sent
        outcomes = [outcome(lambda: cache.get("key")) for _ in range(20)]
        assert outcomes == ["timeout"] + ["skipped"] * 19
        assert CountingConnection.sent - sent == 1  # only the first call reached the socket


def test_after_the_interval_one_call_tries_and_closes_it(
    server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    with override_settings(CACHES=cache_settings(server)):
        cache = caches["default"]
        cache.set("key", "value")
        server.freeze()
        assert outcome(lambda: cache.get("key")) == "timeout"
        server.thaw()
        assert outcome(lambda: cache.get("key")) == "skipped"  # within the interval
        time.sleep(INTERVAL)
        with caplog.at_level(logging.WARNING, "prodready.breaker"):
            assert cache.get("key") == "value"
        assert not breaker.breaker(f"redis://127.0.0.1:{server.port}").is_open
        assert "answers again" in caplog.text


def test_a_stopped_server_is_refused_then_skipped(server: RedisServer) -> None:
    with override_settings(CACHES=cache_settings(server)):
        cache = caches["default"]
        cache.set("key", "value")
        server.stop()
        outcomes = [outcome(lambda: cache.get("key")) for _ in range(5)]
        assert outcomes == ["refused"] + ["skipped"] * 4
        server.start()  # a new, empty server on the same port
        time.sleep(INTERVAL)
        assert cache.get("key") is None
        cache.set("key", "again")
        assert cache.get("key") == "again"


def test_an_error_reply_is_an_answer_not_an_outage(server: RedisServer) -> None:
    client = redis.Redis(
        connection_pool=BreakerConnectionPool.from_url(server.url, socket_timeout=TIMEOUT)
    )
    with client:
        client.set("text", "not a number")
        for _ in range(3):
            with pytest.raises(redis.ResponseError):
                client.incr("text")
        assert not breaker.breaker(f"redis://127.0.0.1:{server.port}").is_open
        assert client.get("text") == b"not a number"


def test_every_client_of_one_server_shares_its_breaker(server: RedisServer) -> None:
    # The cache timed out: a raw client on another pool (rate limits) skips it at once.
    with override_settings(CACHES=cache_settings(server)):
        cache = caches["default"]
        cache.set("key", "value")
        other = redis.Redis(connection_pool=BreakerConnectionPool.from_url(server.url))
        with other:
            assert other.ping()
            server.freeze()
            assert outcome(lambda: cache.get("key")) == "timeout"
            assert outcome(other.ping) == "skipped"


def test_the_pool_keeps_the_class_the_url_asks_for() -> None:
    tls = BreakerConnectionPool.from_url("rediss://cache.example.com:6380/0")
    unix = BreakerConnectionPool.from_url("unix:///run/redis.sock?db=0")
    assert issubclass(tls.connection_class, redis.SSLConnection)
    assert issubclass(unix.connection_class, redis.UnixDomainSocketConnection)
    assert with_breaker(tls.connection_class) is tls.connection_class
    assert unix.make_connection()._breaker_name == "redis+unix:///run/redis.sock"
