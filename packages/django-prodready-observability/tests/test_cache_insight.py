"""Cache hits and misses per alias: counted on LocMem and on a real Redis, exported to
Prometheus, and shown by the dashboard's cache card."""

from __future__ import annotations

import datetime as dt
import pickle
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings
from django.utils import timezone

from prodready import hooks
from prodready._ci import service_address
from prodready.time_range import RANGES
from prodready_observability.analytics.cards import requests_card
from prodready_observability.analytics.series import request_series
from prodready_observability.analytics.store import recorder
from prodready_observability.cache_insight.cards import cache_card
from prodready_observability.celery_insight.cards import celery_card
from prodready_observability.celery_insight.series import celery_failure_series
from prodready_observability.history import buffer
from prodready_observability.history.maintenance import maintain
from prodready_observability.history.models import CacheStat
from prodready_observability.history.prune import prune
from prodready_observability.metrics.cache_counting import uncounted
from prodready_observability.metrics.registry import build_registry


def locmem() -> dict[str, str]:
    return {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": f"cache-insight-{uuid.uuid4().hex}",
    }


def redis() -> dict[str, str]:
    host, port = service_address("requires_redis")
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://{host}:{port}/13",
        "KEY_PREFIX": f"prodready-cache-insight-{uuid.uuid4().hex[:12]}",
    }


@pytest.fixture(params=["locmem", pytest.param("redis", marks=pytest.mark.requires_redis)])
def sessions(request: pytest.FixtureRequest) -> Iterator[str]:
    """A second cache alias, "sessions", of the kind the test is for, beside a LocMem default;
    the counts so far are flushed to the store first, so the card sees this test's reads."""
    recorder.flush()
    second = locmem() if request.param == "locmem" else redis()
    with override_settings(CACHES={"default": locmem(), "sessions": second}):
        yield request.param
        caches["sessions"].clear()
        caches["sessions"].close()


def counted(alias: str) -> tuple[float, float]:
    registry = build_registry()
    return tuple(  # type: ignore[return-value]
        registry.get_sample_value("prodready_cache_gets_total", {"alias": alias, "result": result})
        or 0.0
        for result in ("hit", "miss")
    )


def grown(before: tuple[float, float], alias: str) -> tuple[float, float]:
    after = counted(alias)
    return (after[0] - before[0], after[1] - before[1])


@override_settings(PRODREADY_METRICS_HEALTH=False)
def test_n_gets_with_k_hits_count_k_hits_and_n_minus_k_misses(sessions: str) -> None:
    cache = caches["sessions"]
    assert type(cache) is (LocMemCache if sessions == "locmem" else RedisCache)
    for number in range(3):
        cache.set(f"lesson:{number}", {"room": number})
    before, other = counted("sessions"), counted("default")
    for number in range(10):  # 3 hits, 7 misses
        cache.get(f"lesson:{number}")
    assert grown(before, "sessions") == (3, 7)
    assert grown(other, "default") == (0, 0)

    before = counted("sessions")
    found = cache.get_many([f"lesson:{number}" for number in range(5)])
    assert found == {f"lesson:{n}": {"room": n} for n in range(3)}
    assert grown(before, "sessions") == (3, 2)


@override_settings(PRODREADY_METRICS_HEALTH=False)
def test_the_cache_behaves_as_before(sessions: str) -> None:
    cache = caches["sessions"]
    before = counted("sessions")
    marker = object()
    cache.set("stored-none", None)
    assert cache.get("stored-none", "fallback") is None  # a stored None is a hit
    assert cache.get("absent", "fallback") == "fallback"
    assert cache.get("absent", default=marker) is marker  # the caller's own sentinel
    assert cache.get("absent") is None
    cache.set("versioned", "two", version=2)
    assert cache.get("versioned", version=2) == "two"
    assert cache.get("versioned", version=1) is None
    assert cache.get_or_set("computed", lambda: [1, 2]) == [1, 2]  # a miss, then a hit
    assert cache.get_many(iter(["stored-none", "absent", "absent"])) == {"stored-none": None}
    assert pickle.loads(pickle.dumps(cache.get("computed"))) == [1, 2]
    # Hits: stored-none, versioned@2, computed (get_or_set's second read), computed,
    # stored-none in get_many. Misses: absent x3, versioned@1, computed (first read),
    # absent in get_many (asked twice, read once).
    assert grown(before, "sessions") == (5, 6)


def test_reads_within_uncounted_are_not_counted() -> None:
    before = counted("default")
    with uncounted():
        caches["default"].get("anything")
        caches["default"].get_many(["a", "b"])
    caches["default"].get("counted")
    assert grown(before, "default") == (0, 1)


@override_settings(PRODREADY_METRICS_HEALTH=False)
def test_the_dashboard_reading_its_own_figures_is_not_counted(sessions: str) -> None:
    caches["default"].get("site:miss")
    before = counted("default")
    requests_card()
    celery_card()
    cache_card(time_range=RANGES[0])
    for series in [*request_series(), *celery_failure_series()]:
        list(series.points(0, 60))
    assert grown(before, "default") == (0, 0)


def card_html(**extra: Any) -> tuple[Any, str]:
    card = cache_card(**extra)
    return card, render_to_string(card.template, card.context)


@override_settings(PRODREADY_METRICS_HEALTH=False)
def test_the_card_shows_each_alias_hit_rate(sessions: str) -> None:
    cache = caches["sessions"]
    cache.set_many({"a": 1, "b": 2, "c": 3})
    for key in ["a", "b", "c", "x"] * 2:
        cache.get(key)
    caches["default"].get("nothing")
    card, html = card_html()
    reads = {alias.alias: (alias.hits, alias.misses) for alias in card.context["reads"].aliases}
    assert reads == {"default": (0, 1), "sessions": (6, 2)}
    assert '<code>sessions</code></td><td class="pr-num">75.0%' in html
    assert "0.0%" in html
    assert card.order in [c.order for c in hooks.dashboard_cards(RequestFactory().get("/"))]
    # A longer range than the store keeps shows its last hour, and says so.
    card, html = card_html(time_range=RANGES[2])
    assert "shows that hour of the 24 hours asked for" in html
    assert card.context["reads"].source == "store"


@pytest.mark.parametrize(
    ("changed", "shown"),
    [
        ({"PRODREADY_METRICS_CACHE": False}, "set <code>PRODREADY_METRICS_CACHE = True</code>"),
        ({"PRODREADY_ANALYTICS_CACHE": None}, "set <code>PRODREADY_ANALYTICS_CACHE</code>"),
        ({}, "No cache read in this time range"),
    ],
)
def test_empty_states_say_what_turns_the_card_on(changed: dict[str, Any], shown: str) -> None:
    recorder.flush()
    with override_settings(CACHES={"default": locmem()}, **changed):
        recorder.flush()  # reads counted before this test go to a cache the card does not read
        assert shown in card_html()[1]


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True, databases=["default", "postgres"])
@pytest.mark.usefixtures("history")
def test_with_the_history_a_longer_range_adds_up_its_hours() -> None:
    with override_settings(CACHES={"default": locmem(), "sessions": locmem()}):
        buffer.take()  # reads of earlier tests
        cache = caches["sessions"]
        cache.set("a", 1)
        for key in ["a", "b", "a", "c"]:
            cache.get(key)
        assert maintain()
        cache.get("a")  # a later write adds to the hour's row
        assert maintain()
        card, html = card_html(time_range=RANGES[2])
    reads = card.context["reads"]
    assert reads.source == "history"
    assert {alias.alias: (alias.hits, alias.misses) for alias in reads.aliases}["sessions"] == (
        3,
        2,
    )
    assert "The 24 hours in whole hours, from the request history." in html
    assert '<code>sessions</code></td><td class="pr-num">60.0%' in html

    CacheStat.objects.create(hour=timezone.now() - dt.timedelta(days=30), alias="old", hits=1)
    prune()
    assert sorted(CacheStat.objects.values_list("alias", flat=True).distinct()) == ["sessions"]
