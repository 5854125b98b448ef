"""A real gunicorn process serving one of the test sites, for the tests that need one."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pytest

PACKAGE = Path(__file__).resolve().parents[1]
START_TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def request(
    port: int,
    path: str,
    headers: dict[str, str] | None = None,
    method: str = "GET",
    body: bytes | None = None,
) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


@contextmanager
def gunicorn(
    arguments: list[str],
    env: dict[str, str],
    ready_path: str = "/health/",
    stdout: IO[bytes] | int = subprocess.DEVNULL,
) -> Iterator[int]:
    """gunicorn run with ``arguments`` (and a free port), until it answers ``ready_path``;
    stopped on exit. Gives the port."""
    port = free_port()
    control = tempfile.TemporaryDirectory()
    arguments = [*control_socket(Path(control.name)), *arguments]
    environment = {
        **os.environ,
        **env,
        "PYTHONPATH": os.pathsep.join([str(PACKAGE), os.environ.get("PYTHONPATH", "")]),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", *arguments],
        cwd=PACKAGE,
        env=environment,
        stdout=stdout,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                assert process.stderr is not None
                pytest.fail(f"gunicorn exited: {process.stderr.read().decode()[-2000:]}")
            try:
                request(port, ready_path)
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
        control.cleanup()


def control_socket(directory: Path) -> list[str]:
    """gunicorn 25.1+ opens a control socket in ~/.gunicorn, shared by every gunicorn of
    the user: keep this one's in ``directory``."""
    from gunicorn.config import KNOWN_SETTINGS

    if not any(setting.name == "control_socket" for setting in KNOWN_SETTINGS):
        return []
    return ["--control-socket", str(directory / "gunicorn.ctl")]
