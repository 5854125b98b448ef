"""With the analytics cache's Redis blackholed, no request waits for the analytics flush.

The flush runs on a background thread behind core's circuit breaker: requests only add
to counts in memory, the thread waits one socket timeout for the frozen Redis, and then
skips the cache for the breaker's interval. Counted, not timed: how many commands each
thread sent to Redis. The counts taken meanwhile are kept until the cache answers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client, override_settings

from prodready.breaker import breaker
from prodready.breaker import reset as breaker_reset
from prodready.testing import RedisServer
from prodready_observability.analytics import store
from prodready_observability.analytics.store import recorder
from prodready_observability.analytics.summary import last_hour
from prodready_observability.celery_insight.store import recorder as celery_counts
from tests.site import SETTINGS

pytestmark = pytest.mark.requires_redis

TIMEOUT = 0.5
NOW = 1_900_000_000.0  # a fixed minute: the key read back is the one written
REQUESTS = 20


class Sends:
    """Commands sent to Redis, by the thread that sent them."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from redis.connection import AbstractConnection

        self.by_thread: dict[int, int] = {}
        self.background = threading.Event()  # set when another thread than the test's sent
        send = AbstractConnection.send_packed_command
        main = threading.get_ident()

        def counting(connection: Any, *args: Any, **kwargs: Any) -> Any:
            ident = threading.get_ident()
            self.by_thread[ident] = self.by_thread.get(ident, 0) + 1
            if ident != main:
                self.background.set()
            return send(connection, *args, **kwargs)

        monkeypatch.setattr(AbstractConnection, "send_packed_command", counting)
        self.main = main

    def from_requests(self) -> int:
        return self.by_thread.get(self.main, 0)

    def from_flusher(self) -> int:
        return sum(n for ident, n in self.by_thread.items() if ident != self.main)


@pytest.fixture
def frozen_later(monkeypatch: pytest.MonkeyPatch) -> Iterator[RedisServer]:
    monkeypatch.setattr(store, "FLUSH_SECONDS", 0.05)
    breaker_reset()
    with RedisServer() as server:
        cache = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"{server.url}/0",
            "OPTIONS": {"socket_connect_timeout": TIMEOUT, "socket_timeout": TIMEOUT},
        }
        with override_settings(
            **SETTINGS, CACHES={"default": cache}, PRODREADY_BREAKER_SECONDS=60
        ):
            try:
                yield server
            finally:
                server.thaw()
                breaker_reset()
                recorder.flush()


def test_requests_never_wait_for_a_frozen_analytics_cache(
    frozen_later: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client()
    client.get("/lessons/1/")
    recorder.flush()  # connected: the cache answers
    celery_counts.flush()  # an earlier test's task counts, not sent once frozen
    frozen_later.freeze()
    sends = Sends(monkeypatch)
    cache_breaker = breaker("the analytics cache 'default'")

    for pk in range(REQUESTS):
        assert client.get(f"/lessons/{pk}/").status_code == 200
    assert sends.from_requests() == 0, "a request waited for the analytics cache"
    # The flusher tried the frozen Redis once and waits its socket timeout, then opens
    # the breaker; the requests go on meanwhile.
    assert sends.background.wait(10), "the background flush never ran"
    for pk in range(REQUESTS):
        assert client.get(f"/lessons/{pk}/").status_code == 200
    deadline = time.monotonic() + 10  # a bound, far above the 0.5 s socket timeout
    while not cache_breaker.is_open and time.monotonic() < deadline:
        time.sleep(0.05)
    assert cache_breaker.is_open
    for pk in range(REQUESTS):
        assert client.get(f"/lessons/{pk}/").status_code == 200
    time.sleep(0.3)  # several flush intervals, all skipped by the open breaker

    assert sends.from_requests() == 0, "a request sent to the analytics cache"
    assert sends.from_flusher() == 1, "one timeout per breaker interval, not one per flush"

    # Counts taken while the breaker was open were kept, and reach the cache once it
    # answers (those of the timed-out flush may or may not have).
    frozen_later.thaw()
    breaker_reset()
    summary = last_hour()
    assert summary is not None
    assert summary.requests >= REQUESTS


def test_an_unusable_cache_setting_is_logged_and_the_thread_goes_on(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(store, "FLUSH_SECONDS", 0.01)
    counts = store.Recorder()
    locmem = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "unusable-setting",  # no other test's counts
        }
    }
    with override_settings(CACHES=locmem):
        with (
            override_settings(PRODREADY_ANALYTICS_CACHE=3),  # not a cache alias
            caplog.at_level(logging.ERROR, logger=store.__name__),
        ):
            counts.record("lessons/", 200, 0.01, now=NOW)
            thread = counts._flusher
            deadline = time.monotonic() + 10
            while not caplog.records and time.monotonic() < deadline:
                time.sleep(0.01)
        assert [record.getMessage() for record in caplog.records][:1] == [
            "Request analytics could not be flushed"
        ]
        # Once the setting is fixed, the same thread writes the counts it kept, then ends.
        assert thread is not None
        thread.join(10)
        assert counts._flusher is None
        minute = int(NOW // 60)
        assert caches["default"].get(f"{store.PREFIX}:{minute}:requests") == 1
