"""Under gunicorn with two workers, /metrics counts every worker's requests."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

pytest.importorskip("gunicorn", reason="install gunicorn (the test dependency group has it)")

from tests.gunicorn_process import gunicorn, request

TOKEN = "multiprocess-test-token-0123456789abcdef"
REQUESTS = 40


@pytest.fixture
def server(tmp_path: Path) -> Iterator[int]:
    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    env = {
        "PROMETHEUS_MULTIPROC_DIR": str(multiproc),
        "PRODREADY_TEST_METRICS_TOKEN": TOKEN,
        "DJANGO_SETTINGS_MODULE": "tests.multiprocess_site",
    }
    arguments = ["--config", "python:tests.multiprocess_site", "--workers", "2"]
    arguments += ["--log-level", "warning", "tests.multiprocess_site:application"]
    with gunicorn(arguments, env) as port:
        yield port


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    return request(port, path, headers)


def test_requests_served_by_two_workers_are_all_counted(server: int) -> None:
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda n: get(server, f"/pid/{n}/"), range(REQUESTS)))
    assert all(status == 200 for status, _ in answers)
    assert len({pid for _, pid in answers}) == 2  # both workers served

    status, text = get(server, "/metrics", {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200
    counted = {
        tuple(sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "prodready_http_requests_total"
    }
    assert counted[(("method", "GET"), ("route", "pid/<int:n>/"), ("status", "200"))] == REQUESTS
