"""Under gunicorn with two workers, /metrics counts every worker's requests."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

pytest.importorskip("gunicorn", reason="install gunicorn (the test dependency group has it)")

PACKAGE = Path(__file__).resolve().parents[1]
TOKEN = "multiprocess-test-token-0123456789abcdef"
REQUESTS = 40
START_TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[int]:
    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    port = free_port()
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(multiproc),
        "PRODREADY_TEST_METRICS_TOKEN": TOKEN,
        "DJANGO_SETTINGS_MODULE": "tests.multiprocess_site",
        "PYTHONPATH": os.pathsep.join([str(PACKAGE), os.environ.get("PYTHONPATH", "")]),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "python:tests.multiprocess_site",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "tests.multiprocess_site:application",
        ],
        cwd=PACKAGE,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited: {process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                get(port, "/health/")
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not answer within {START_TIMEOUT} s")
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        assert process.stderr is not None
        process.stderr.close()


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
