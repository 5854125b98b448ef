"""What the benchmark scripts share: local servers, their ports, and timing HTTP requests.

A package rather than a module, so ``nox -s bench`` (every ``benchmarks/*.py``) does
not run it as a benchmark. Scripts run as ``python benchmarks/<name>.py`` have
``benchmarks/`` on ``sys.path`` and import it as ``harness``.
"""

from __future__ import annotations

import contextlib
import http.client
import importlib.util
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any


def error(message: str) -> int:
    """Print ``message`` as an error; 1, the exit status to return."""
    print(f"error: {message}", file=sys.stderr)
    return 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def has_gunicorn() -> bool:
    return importlib.util.find_spec("gunicorn") is not None


def wait_until_up(
    server: subprocess.Popen[bytes], probe: Callable[[], object], timeout: float = 30
) -> None:
    """Call ``probe`` until it stops raising OSError; fail if ``server`` exits or
    ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(error(f"the server exited with {server.returncode}"))
        try:
            probe()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(error(f"the server did not start within {timeout:.0f} s"))


def wait_for_port(port: int, what: str, timeout: float = 10) -> None:
    """Wait until ``what`` (a server this script started) accepts connections on ``port``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(error(f"{what} did not start within {timeout:.0f} s"))


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a process this script started, by its own handle."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def get(port: int, path: str) -> None:
    """GET ``path`` on a new connection; anything but 200 ends the benchmark."""
    get_with(port, path, {})


def sequential(port: int, path: str, requests: int) -> float:
    """Mean seconds per request, one request at a time."""
    return mean_seconds(lambda: get(port, path), requests)


def concurrent(port: int, path: str, requests: int, clients: int) -> float:
    """Requests per second with ``clients`` sending at once."""
    return per_second(lambda: get(port, path), requests, clients)


def get_with(port: int, path: str, headers: Mapping[str, str], timeout: float = 10) -> None:
    """:func:`get` with request ``headers`` (a proxy's, a session cookie)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=dict(headers))
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    if response.status != 200:
        location = response.getheader("Location")
        where = f" (to {location})" if location else ""
        raise SystemExit(error(f"{path} answered {response.status}{where}"))


def mean_seconds(send: Callable[[], object], requests: int) -> float:
    """Mean seconds per ``send()``, one at a time."""
    started = time.perf_counter()
    for _ in range(requests):
        send()
    return (time.perf_counter() - started) / requests


def per_second(send: Callable[[], object], requests: int, clients: int) -> float:
    """``send()`` calls per second with ``clients`` threads calling at once."""
    share = [requests // clients + (1 if n < requests % clients else 0) for n in range(clients)]
    failures: list[BaseException] = []

    def client(count: int) -> None:
        try:
            for _ in range(count):
                send()
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=client, args=(count,)) for count in share]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(error(f"a client failed: {failures[0]}"))
    return requests / (time.perf_counter() - started)


def worker_pids(master: int) -> list[int]:
    """The child processes of ``master`` (a gunicorn arbiter's workers); Linux only, else []."""
    pids = []
    for children in Path(f"/proc/{master}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            pids += [int(pid) for pid in children.read_text().split()]
    return pids


def cpu_seconds(pids: list[int]) -> float | None:
    """Seconds of CPU used so far by the live threads of ``pids``, to the nanosecond
    (``/proc/<pid>/task/*/schedstat``): what a server spent, whatever else the machine
    ran meanwhile. None where /proc does not tell (not Linux)."""
    total = 0
    for pid in pids:
        threads = list(Path(f"/proc/{pid}/task").glob("*/schedstat"))
        if not threads:
            return None
        for schedstat in threads:
            with contextlib.suppress(OSError):
                total += int(schedstat.read_text().split()[0])
    return total / 1e9 if pids else None


def machine_cpu_seconds() -> float | None:
    """Seconds of CPU the whole machine has spent busy so far, every core and process
    together (``/proc/stat``, to the clock tick): what a server costs its database,
    cache and load generator too. None where /proc does not tell (not Linux)."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(value) for value in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + fields[4]  # idle and waiting for I/O
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def serve_one_worker(application: Any, port: int) -> None:
    """Serve a WSGI ``application`` on 127.0.0.1 with one gunicorn sync worker.

    Django's threaded development server stands in when gunicorn is not installed.
    """
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:
        from django.core.servers.basehttp import WSGIRequestHandler, run

        WSGIRequestHandler.log_message = lambda *args: None  # type: ignore[method-assign]
        run("127.0.0.1", port, application, threading=True)
        return

    class OneWorker(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for name, value in {
                "bind": f"127.0.0.1:{port}",
                "workers": 1,
                "worker_class": "sync",
                "accesslog": None,
                "loglevel": "warning",
                # Under callgrind the first requests after instrumentation starts take
                # minutes; the arbiter must not take that for a hung worker.
                "timeout": 900,
            }.items():
                self.cfg.set(name, value)

        def load(self) -> Any:
            return application

    OneWorker().run()
