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


def test_minute_figures_give_one_value_per_minute_of_the_range() -> None:
    from prodready.time_range import RANGES
    from prodready_observability.analytics.minutes import minute_figures

    store = Recorder()
    store.record("a/", 200, 0.02, now=NOW - 120)
    store.record("a/", 500, 3.0, now=NOW - 120)
    store.record("a/", 200, 0.02, now=NOW)
    store.flush()
    figures = minute_figures(RANGES[0], now=NOW)
    assert figures is not None
    assert len(figures.minutes) == len(figures.requests) == len(figures.p95_ms) == 60
    assert figures.minutes[-1] == int(NOW // 60) * 60
    assert figures.minutes[1] - figures.minutes[0] == 60
    assert (figures.requests[-3], figures.requests[-2], figures.requests[-1]) == (2, 0, 1)
    assert (figures.errors[-3], figures.errors[-1]) == (1, 0)
    assert (figures.p95_ms[-3], figures.p95_ms[-2]) == (5000.0, None)
    assert figures.covers_range
    longer = minute_figures(RANGES[3], now=NOW)
    assert longer is not None
    assert longer.requests == figures.requests  # the store has the last hour only
    assert not longer.covers_range


def render_card(query: str) -> str:
    from prodready.time_range import time_range_from

    request = RequestFactory().get("/ops/", {"range": query})
    [card] = [c for c in hooks.dashboard_cards(request, time_range_from(request)) if c.order == 20]
    return render_to_string(card.template, card.context)


def test_the_card_charts_requests_and_latency_with_labelled_axes() -> None:
    import json
    import re

    with override_settings(**SETTINGS):
        Client().get("/lessons/1/")
        Client(raise_request_exception=False).get("/broken/")
    html = render_card("1h")
    charts = [
        json.loads(found)
        for found in re.findall(r'<script type="application/json">(.+?)</script>', html, re.S)
    ]
    assert [(c["yLabel"], [s["label"] for s in c["series"]]) for c in charts] == [
        ("requests / min", ["Requests", "Server errors (5xx)"]),
        ("milliseconds", ["95th percentile"]),
    ]
    assert all(c["xLabel"] == "Time (UTC)" and len(c["x"]) == 60 for c in charts)
    assert sum(charts[0]["series"][0]["values"]) == 2
    assert sum(charts[0]["series"][1]["values"]) == 1
    assert "keeps only the last hour" not in html


def test_a_longer_range_says_what_the_store_keeps() -> None:
    with override_settings(**SETTINGS):
        Client().get("/lessons/1/")
    html = render_card("24h")
    assert "data-pr-chart" in html
    assert "this shows that hour of the 24 hours asked for" in html


def test_with_no_requests_the_charts_say_what_will_appear_and_what_turns_it_on() -> None:
    html = render_card("6h")
    assert "data-pr-chart" not in html
    assert "Requests and server errors per minute will appear here." in html
    assert "The 95th-percentile response time of each minute will appear here." in html
    assert html.count("PRODREADY_ANALYTICS_CACHE") == 2
