"""/metrics: who may read it, and what it says."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core import checks
from django.test import Client, override_settings
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.parser import text_string_to_metric_families

from prodready.health.base import HealthCheck, HealthCheckError
from prodready.plugins import PluginError, hookimpl
from prodready_observability.metrics.findings import metrics_protected
from prodready_observability.metrics.registry import build_registry
from tests.site import SETTINGS

TOKEN = "scraper-token-0123456789abcdef0123456789"
BEARER = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}


@pytest.fixture(autouse=True)
def site() -> Iterator[None]:
    with override_settings(**SETTINGS, PRODREADY_METRICS_HEALTH=False):
        yield


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(**headers: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    with override_settings(PRODREADY_METRICS_TOKEN=TOKEN):
        response = Client().get("/metrics", **headers, **BEARER)
    assert response.status_code == 200
    return samples(response.content.decode())


def test_off_without_a_token_or_an_allowlist() -> None:
    assert Client().get("/metrics").status_code == 404
    assert Client().get("/metrics", **BEARER).status_code == 404
    assert not metrics_protected().passed


@override_settings(PRODREADY_METRICS_TOKEN=TOKEN)
@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer " + "a" * 9000],
)
def test_a_wrong_token_is_forbidden(authorization: str | None) -> None:
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    response = Client().get("/metrics", **headers)
    assert response.status_code == 403
    assert TOKEN not in response.content.decode()


@override_settings(PRODREADY_METRICS_TOKEN=TOKEN)
def test_the_token_lets_the_scraper_in() -> None:
    response = Client().get("/metrics", **BEARER)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    assert response["Cache-Control"].startswith("max-age=0")
    assert metrics_protected().passed


@override_settings(PRODREADY_METRICS_TOKEN=TOKEN)
def test_openmetrics_when_asked() -> None:
    response = Client().get("/metrics", HTTP_ACCEPT="application/openmetrics-text", **BEARER)
    assert response["Content-Type"].startswith("application/openmetrics-text")
    assert response.content.endswith(b"# EOF\n")


@override_settings(PRODREADY_METRICS_ALLOWED_ADDRESSES=["10.0.0.0/8", "not an address"])
@pytest.mark.parametrize(
    ("peer", "forwarded", "status"),
    [
        ("10.1.2.3", "", 200),
        ("192.168.1.5", "", 403),
        ("192.168.1.5", "10.1.2.3", 403),  # an untrusted peer's header is not believed
        ("", "", 403),
        ("garbage", "", 403),
    ],
)
def test_the_allowlist_uses_the_client_address(peer: str, forwarded: str, status: int) -> None:
    response = Client().get("/metrics", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)
    assert response.status_code == status


@override_settings(
    PRODREADY_METRICS_ALLOWED_ADDRESSES=["10.0.0.5"], PRODREADY_TRUSTED_PROXIES=["172.16.0.1"]
)
def test_the_allowlist_believes_a_trusted_proxy() -> None:
    via_proxy = {"REMOTE_ADDR": "172.16.0.1"}
    assert (
        Client().get("/metrics", HTTP_X_FORWARDED_FOR="10.0.0.5", **via_proxy).status_code == 200
    )
    assert (
        Client().get("/metrics", HTTP_X_FORWARDED_FOR="10.0.0.6", **via_proxy).status_code == 403
    )


def test_only_get() -> None:
    with override_settings(PRODREADY_METRICS_TOKEN=TOKEN):
        assert Client().post("/metrics", **BEARER).status_code == 405


def test_requests_are_counted_by_method_route_and_status() -> None:
    key = (
        "prodready_http_requests_total",
        (("method", "GET"), ("route", "lessons/<int:pk>/"), ("status", "200")),
    )
    missing = (
        "prodready_http_requests_total",
        (("method", "GET"), ("route", "<unmatched>"), ("status", "404")),
    )
    odd = (
        "prodready_http_requests_total",
        (("method", "OTHER"), ("route", "lessons/<int:pk>/"), ("status", "200")),
    )
    before = scrape()
    for pk in (1, 2, 3):
        Client().get(f"/lessons/{pk}/")
    Client().get("/nowhere/%ff/")
    Client().generic("BREW", "/lessons/4/")
    after = scrape()
    assert after[key] - before.get(key, 0) == 3
    assert after[missing] - before.get(missing, 0) == 1
    assert after[odd] - before.get(odd, 0) == 1
    # The scrapes themselves are not counted, nor is any raw path a label.
    assert not any(dict(labels).get("route") == "metrics" for _, labels in after)
    assert not any("/nowhere/" in dict(labels).get("route", "") for _, labels in after)


def test_latency_is_a_histogram_by_route() -> None:
    count = ("prodready_http_request_duration_seconds_count", (("route", "slow/"),))
    fast = ("prodready_http_request_duration_seconds_bucket", (("le", "0.01"), ("route", "slow/")))
    before = scrape()
    Client().get("/slow/")
    after = scrape()
    assert after[count] - before.get(count, 0) == 1
    assert after[fast] - before.get(fast, 0) == 0  # it slept 50 ms


def test_exceptions_are_counted() -> None:
    key = (
        "prodready_http_exceptions_total",
        (("exception", "ZeroDivisionError"), ("route", "broken/")),
    )
    before = scrape()
    Client(raise_request_exception=False).get("/broken/")
    assert scrape()[key] - before.get(key, 0) == 1


class Failing(HealthCheck):
    name = "prodready-test-failing"
    critical = False

    def check(self) -> None:
        raise HealthCheckError("the test dependency is down")


class HealthPlugin:
    @hookimpl
    def prodready_health_checks(self) -> list[HealthCheck]:
        return [Failing()]


def test_health_results_are_gauges(prodready_plugin: Any) -> None:
    prodready_plugin(HealthPlugin(), name="health-test")
    with override_settings(
        PRODREADY_METRICS_HEALTH=True,
        PRODREADY_HEALTH_DISABLED=["database", "migrations", "cache", "disk", "storage", "celery"],
    ):
        found = scrape()
    assert (
        found[("prodready_health_check_up", (("check", Failing.name), ("critical", "false")))] == 0
    )
    assert found[("prodready_health_status", (("status", "degraded"),))] == 1
    assert found[("prodready_health_status", (("status", "ok"),))] == 0


class Custom:
    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily("prodready_test_plugin_gauge", "A plugin's gauge.", value=42)


class Broken:
    def collect(self) -> Iterator[GaugeMetricFamily]:
        raise ConnectionError("the plugin's store is down")


class MetricsPlugin:
    @hookimpl
    def prodready_metrics(self) -> list[Any]:
        # The second fails when scraped: that costs its own metrics, not the scrape.
        return [Custom(), Broken()]


def test_plugins_collectors_are_included(prodready_plugin: Any) -> None:
    prodready_plugin(MetricsPlugin(), name="metrics-test")
    assert scrape()[("prodready_test_plugin_gauge", ())] == 42


class NotACollector:
    @hookimpl
    def prodready_metrics(self) -> list[Any]:
        return [object()]


def test_a_plugin_returning_a_non_collector_is_named(prodready_plugin: Any) -> None:
    prodready_plugin(NotACollector(), name="sloppy-metrics")
    with pytest.raises(PluginError, match="Plugin 'sloppy-metrics' returned <object object"):
        build_registry()


def test_the_registry_is_fresh_per_scrape() -> None:
    assert build_registry() is not build_registry()


@pytest.mark.parametrize(
    ("settings", "ids"),
    [
        ({"PRODREADY_METRICS_ALLOWED_ADDRESSES": ["10.0.0.0/8", "localhost", "::1"]}, ["E010"]),
        ({"PRODREADY_ANALYTICS_SLOW_REQUEST_MS": 0}, ["E011"]),
        ({"PRODREADY_ANALYTICS_SKIP_PATHS": ["/health", "static", "/"]}, ["E012", "E012"]),
        ({"PRODREADY_ANALYTICS_REQUEST_ID_HEADER": "X Request:ID"}, ["E013"]),
        ({"PRODREADY_METRICS_TOKEN": "short"}, ["W010"]),
        ({"PRODREADY_ANALYTICS_CACHE": "shared"}, ["E015"]),
        ({"PRODREADY_ANALYTICS_CACHE": None, "PRODREADY_ANALYTICS_MAX_ROUTES": 0}, ["E016"]),
        ({"PRODREADY_METRICS_MAX_TASK_NAMES": 0}, ["E017"]),
        ({"PRODREADY_METRICS_TOKEN": TOKEN, "PRODREADY_METRICS_ALLOWED_ADDRESSES": ["::1"]}, []),
    ],
)
def test_system_checks(settings: dict[str, Any], ids: list[str]) -> None:
    with override_settings(**settings):
        found = [message.id for message in checks.run_checks()]
    assert found == [f"prodready_observability.{check_id}" for check_id in ids]


def test_a_missing_multiprocess_directory_is_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "missing"))
    assert [m.id for m in checks.run_checks()] == ["prodready_observability.E014"]
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    assert checks.run_checks() == []
