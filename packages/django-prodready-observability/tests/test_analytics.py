"""Per-minute request counts in the cache, added up across processes, and their card."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.core.cache import caches
from django.template.loader import render_to_string
from django.test import Client, RequestFactory, override_settings
from django.utils import translation

from prodready import hooks
from prodready._ci import service_address
from prodready_observability.analytics.store import KEEP_MINUTES, OTHER, Recorder, recorder
from prodready_observability.analytics.summary import last_hour
from tests.site import SETTINGS

NOW = 1_900_000_000.0  # a fixed minute, far from the real clock
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    with override_settings(CACHES=LOCMEM):
        recorder.flush()
        caches["default"].clear()
        yield
        recorder.flush()
        caches["default"].clear()


def test_two_processes_add_up() -> None:
    first, second = Recorder(), Recorder()  # as two workers would have
    for _ in range(3):
        first.record("lessons/<int:pk>/", 200, 0.02, now=NOW)
    second.record("lessons/<int:pk>/", 500, 0.2, now=NOW)
    second.record("slow/", 200, 3.0, now=NOW)
    first.flush()
    second.flush()
    summary = last_hour(now=NOW)
    assert summary is not None
    assert (summary.requests, summary.errors) == (5, 1)
    assert summary.error_rate == pytest.approx(0.2)
    assert [(t.route, t.requests) for t in summary.slowest] == [
        ("slow/", 1),
        ("lessons/<int:pk>/", 4),
    ]
    assert summary.slowest[1].mean_ms == pytest.approx(65.0)
    assert summary.p95_ms == 5000.0  # the 3 s request is in the 2.5-5 s bucket


def test_only_the_last_hour_counts() -> None:
    store = Recorder()
    store.record("old/", 200, 0.01, now=NOW - 3600)
    store.record("new/", 200, 0.01, now=NOW - 60)
    store.flush()
    summary = last_hour(now=NOW)
    assert summary is not None
    assert (summary.requests, summary.last_minute) == (1, 1)
    assert [t.route for t in summary.slowest] == ["new/"]


@override_settings(PRODREADY_ANALYTICS_MAX_ROUTES=2)
def test_routes_are_capped_per_minute() -> None:
    store = Recorder()
    for number in range(10):
        store.record(f"route-{number}/", 200, 0.01, now=NOW)
    store.flush()
    summary = last_hour(now=NOW)
    assert summary is not None
    assert summary.requests == 10
    assert sorted(t.route for t in summary.slowest) == ["route-0/", "route-1/"]
    other = f"prodready:analytics:v1:{int(NOW // 60)}:route:{OTHER}:count"
    assert caches["default"].get(other) == 8


def test_keys_expire_on_their_own() -> None:
    store = Recorder()
    store.record("a/", 200, 0.01, now=NOW)
    store.flush()
    cache = caches["default"]
    key = f"prodready:analytics:v1:{int(NOW // 60)}:requests"
    expiry = cache._expire_info[cache.make_key(key)]  # type: ignore[attr-defined]
    assert expiry - time.time() == pytest.approx(KEEP_MINUTES * 60, abs=5)


def test_requests_through_the_middleware_reach_the_card() -> None:
    with override_settings(**SETTINGS):
        for pk in range(4):
            Client().get(f"/lessons/{pk}/")
        Client(raise_request_exception=False).get("/broken/")
        Client().get("/health/")  # skipped
    [card] = [c for c in hooks.dashboard_cards(RequestFactory().get("/")) if c.order == 20]
    summary = card.context["summary"]
    assert (summary.requests, summary.errors) == (5, 1)
    assert card.status == "error"  # 20% server errors
    html = render_to_string(card.template, card.context)
    assert "lessons/&lt;int:pk&gt;/" in html
    assert "20.00%" in html


def test_the_card_speaks_polish() -> None:
    with override_settings(**SETTINGS):
        Client().get("/lessons/1/")
    with translation.override("pl"):
        [card] = [c for c in hooks.dashboard_cards(RequestFactory().get("/")) if c.order == 20]
        html = render_to_string(card.template, card.context)
    assert card.title == "Żądania, ostatnia godzina"
    assert "Najwolniejsze ścieżki" in html
    assert "(ostatnia minuta: " in html


@override_settings(PRODREADY_ANALYTICS_CACHE=None)
def test_no_card_when_the_store_is_off() -> None:
    assert all(c.order != 20 for c in hooks.dashboard_cards(RequestFactory().get("/")))


@pytest.mark.requires_redis
def test_counts_add_up_in_redis() -> None:
    host, port = service_address("requires_redis")
    redis_cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://{host}:{port}/14",
        "KEY_PREFIX": "prodready-observability-analytics-tests",
    }
    with override_settings(CACHES={"default": redis_cache}):
        caches["default"].clear()
        try:
            stores = [Recorder() for _ in range(3)]
            for store in stores:
                for _ in range(7):
                    store.record("lessons/<int:pk>/", 200, 0.03, now=NOW)
                store.flush()
            summary = last_hour(now=NOW)
            assert summary is not None
            assert summary.requests == 21
            assert summary.slowest[0].requests == 21
        finally:
            caches["default"].clear()
