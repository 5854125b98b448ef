"""Blocks and lockouts reach the metrics hook, counted in the shared cache."""

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from prodready import hooks
from prodready_security.ratelimit.metrics import RateLimitCollector, samples
from tests.ratelimit_support import redis_cache

pytestmark = pytest.mark.urls("tests.ratelimit_support")

RULE = {"name": "api", "paths": ["/api/"], "rate": "2/h"}


@pytest.fixture(params=["locmem", pytest.param("redis", marks=pytest.mark.requires_redis)])
def shared_cache(request: pytest.FixtureRequest) -> Iterator[None]:
    cache.clear()
    if request.param == "locmem":
        yield
        cache.clear()
    else:
        with redis_cache():
            yield


def blocked() -> dict[str, int]:
    return {s.label: s.value for s in samples() if s.family == "blocked"}


@override_settings(PRODREADY_RATELIMIT_RULES=[RULE, {**RULE, "name": "other", "paths": ["/x/"]}])
def test_every_blocked_request_is_counted_by_rule(shared_cache: None) -> None:
    client = Client()
    for _ in range(5):
        client.get("/api/items/")
    assert blocked() == {"api": 3}


def test_the_collector_is_contributed_through_the_hook() -> None:
    assert any(isinstance(collector, RateLimitCollector) for collector in hooks.metrics())


@override_settings(PRODREADY_RATELIMIT_RULES=[RULE])
def test_the_collector_yields_prometheus_counters(shared_cache: None) -> None:
    registry_module = pytest.importorskip("prometheus_client")
    client = Client()
    for _ in range(4):
        client.get("/api/items/")
    registry = registry_module.CollectorRegistry()
    registry.register(RateLimitCollector())
    value = registry.get_sample_value("prodready_ratelimit_blocked_total", {"rule": "api"})
    assert value == 2
