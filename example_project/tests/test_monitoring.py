"""The Grafana dashboard and the alert rules, evaluated by a real Prometheus.

The example runs as in production (``stack``, the session's stack of tests.stack_fixture,
shared with test_stack.py: gunicorn, a Celery worker and beat, nginx, PostgreSQL and
Redis). A Prometheus of the test's own (Debian's ``prometheus``, on 127.0.0.1) scrapes
its ``/metrics`` with the bearer token every second and loads monitoring/alerts.yml.
After some traffic and a backup, every PromQL expression of every panel of
monitoring/grafana/dashboards/*.json must parse and return at least one series through
Prometheus's HTTP API; every rule must be loaded and evaluate without error, and the
series each of its selectors filters must exist with every label it matches on (their
values may not: a healthy site answers no 5xx). The Redis exporter's ``redis_key_size``
(CeleryQueueGrowing) is the one selector left out: no exporter runs here.

Needs PostgreSQL, redis-server, nginx and prometheus; without them it skips, or fails
with ``PRODREADY_TEST_SERVICES=required``.
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.stack_fixture import Stack, wait_until
from tests.stack_support import EXAMPLE, fetch, free_port, require_tool

pytestmark = [pytest.mark.requires_postgres]

MONITORING = EXAMPLE / "monitoring"
JOB = "school-site"
# Metrics of exporters this test does not run (the Redis exporter of docker-compose).
NOT_SCRAPED = {"redis_key_size"}
PAGES = ["/", "/accounts/login/", "/no-such-page/", "/health/live"]


def panel_expressions() -> list[tuple[str, str]]:
    found = []
    for path in sorted((MONITORING / "grafana" / "dashboards").glob("*.json")):
        for panel in json.loads(path.read_text())["panels"]:
            found += [(panel["title"], target["expr"]) for target in panel.get("targets", [])]
    return found


def rule_expressions() -> list[tuple[str, str]]:
    rules = yaml.safe_load((MONITORING / "alerts.yml").read_text())
    return [(rule["alert"], rule["expr"]) for group in rules["groups"] for rule in group["rules"]]


def selectors(expr: str) -> list[str]:
    """The instant-vector selectors of an expression, ``name{matchers}``, ranges dropped."""
    return re.findall(r"\b[a-z_:][a-z0-9_:]*\{[^}]*\}", expr)


class Prometheus:
    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"

    def get(self, path: str, **params: str) -> Any:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        try:
            with urllib.request.urlopen(f"{self.base}{path}{query}", timeout=10) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:  # a bad query: 400 with a JSON error
            return json.load(error)

    def query(self, expr: str) -> dict[str, Any]:
        answer: dict[str, Any] = self.get("/api/v1/query", query=expr)
        return answer


@pytest.fixture
def prometheus(stack: Stack, tmp_path: Path) -> Iterator[Prometheus]:
    binary = require_tool("prometheus")
    port = free_port()
    token = tmp_path / "metrics-token"
    token.write_text(stack.env["METRICS_TOKEN"])
    config = {
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(MONITORING / "alerts.yml")],
        "scrape_configs": [
            {
                "job_name": JOB,
                "metrics_path": "/metrics",
                "authorization": {"type": "Bearer", "credentials_file": str(token)},
                # gunicorn directly, as prometheus.yml scrapes web:8000.
                "static_configs": [{"targets": [f"127.0.0.1:{stack.site.upstream_port}"]}],
            }
        ],
    }
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    log = (tmp_path / "prometheus.log").open("wb")
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'prometheus-data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Prometheus(port)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, (tmp_path / "prometheus.log").read_text()
            # 503 until its storage and rules are loaded
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{server.base}/-/ready", timeout=5) as response,
            ):
                if response.status == 200:
                    break
            assert time.monotonic() < deadline, (tmp_path / "prometheus.log").read_text()
            time.sleep(0.25)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_prometheus_evaluates_every_dashboard_panel_and_alert_rule(
    stack: Stack,
    prometheus: Prometheus,
) -> None:
    def scraped() -> bool:
        found = prometheus.query(f'up{{job="{JOB}"}} == 1')["data"]["result"]
        return bool(found)

    wait_until(stack, scraped, "Prometheus to scrape the site", timeout=30)
    stack.manage("backup", "create", timeout=120)
    for _ in range(3):  # traffic between scrapes, so rates have two samples to work on
        for path in PAGES:
            fetch(stack.site, path, host="127.0.0.1")
        time.sleep(1.5)

    def counted() -> bool:
        expr = f'sum(rate(prodready_http_requests_total{{job="{JOB}"}}[5m])) > 0'
        return bool(prometheus.query(expr)["data"]["result"])

    wait_until(stack, counted, "request rates in Prometheus", timeout=30)

    def beat_ran() -> bool:
        expr = f'prodready_celery_tasks_total{{job="{JOB}"}}'
        return bool(prometheus.query(f"count_over_time({expr}[5m]) > 1")["data"]["result"])

    wait_until(stack, beat_ran, "a Celery task counted in two scrapes", timeout=60)
    time.sleep(2)

    empty, failed = [], []
    for title, expr in panel_expressions():
        answer = prometheus.query(expr)
        if answer["status"] != "success":
            failed.append(f"panel {title!r}: {expr}: {answer.get('error')}")
        elif not answer["data"]["result"]:
            empty.append(f"panel {title!r}: {expr}")
    for alert, expr in rule_expressions():
        answer = prometheus.query(expr)
        if answer["status"] != "success":
            failed.append(f"rule {alert}: {expr}: {answer.get('error')}")
        for selector in selectors(expr):
            name = selector.split("{")[0]
            if name in NOT_SCRAPED:
                continue
            # The series the rule selects from exist, with every label it matches on; a
            # healthy site has no 5xx, so the values it filters for may not (yet).
            found = prometheus.query(f'{name}{{job="{JOB}"}}')["data"]["result"]
            labels = set(re.findall(r"(\w+)\s*(?:=~|!~|!=|=)", selector.split("{", 1)[1]))
            if not any(labels <= set(series["metric"]) for series in found):
                empty.append(f"rule {alert}: {selector}")
    assert failed == []
    assert empty == []
    assert len(panel_expressions()) >= 10

    # Prometheus loaded the rule file itself and evaluates every rule without error.
    groups = prometheus.get("/api/v1/rules")["data"]["groups"]
    loaded = {rule["name"]: rule for group in groups for rule in group["rules"]}
    assert sorted(loaded) == sorted(alert for alert, _ in rule_expressions())
    unhealthy = {
        name: rule.get("lastError") for name, rule in loaded.items() if rule["health"] != "ok"
    }
    assert unhealthy == {}
