"""Instructions per request of a gunicorn worker, counted by valgrind's callgrind.

Time on a shared machine moves with its neighbours' load; the number of instructions a
worker executes for the same requests does not. Under callgrind a server runs some
fifty times slower: a thousand requests take a minute or two. Only user-space
instructions count, not the kernel's share of a request. Work done now and then lands
in some counts and not others (a full garbage collection, a flush every few seconds,
which under callgrind comes every hundred requests or so), so differences of a few
percent are not significant.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from harness import error, get_with, stop, wait_until_up, worker_pids

START_TIMEOUT = 600  # seconds: Django starting under callgrind
QUIET = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}


def available() -> bool:
    return shutil.which("valgrind") is not None and shutil.which("callgrind_control") is not None


def per_request(
    command: list[str],
    env: Mapping[str, str],
    port: int,
    path: str,
    requests: int = 1000,
    warmup: int = 300,
    headers: Mapping[str, str] | None = None,
) -> float:
    """Run ``command`` (a one-worker gunicorn server on ``port``) under callgrind; the
    instructions its worker executes per GET of ``path`` (with ``headers``), after
    ``warmup`` requests."""
    [count] = per_request_of_pages(command, env, port, [(path, headers or {})], requests, warmup)
    return count


def per_request_of_pages(
    command: list[str],
    env: Mapping[str, str],
    port: int,
    pages: Sequence[tuple[str, Mapping[str, str]]],
    requests: int = 1000,
    warmup: int = 300,
    cwd: Path | None = None,
    start_timeout: float = START_TIMEOUT,
) -> list[float]:
    """:func:`per_request` for several pages (a path and its request headers) of one
    server, started once (in ``cwd``): the instructions per GET of each, in order."""
    counts = []
    with tempfile.TemporaryDirectory(prefix="prodready-callgrind-") as workdir:
        server = subprocess.Popen(
            [
                "valgrind",
                "--tool=callgrind",
                "--trace-children=yes",
                # Starting Python and Django uninstrumented is several times faster; the
                # count starts at --instr=on below, before the warm-up.
                "--instr-atstart=no",
                f"--callgrind-out-file={workdir}/callgrind.%p",
                *command,
            ],
            env=dict(env),
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            first, first_headers = pages[0]
            wait_until_up(
                server, lambda: get_with(port, first, first_headers), timeout=start_timeout
            )
            [worker] = worker_pids(server.pid)
            subprocess.run(["callgrind_control", "--instr=on", str(worker)], check=True, **QUIET)
            for number, (path, headers) in enumerate(pages, start=1):
                for _ in range(warmup):  # the first ones, instrumenting the code, are slow
                    get_with(port, path, headers, timeout=start_timeout)
                subprocess.run(["callgrind_control", "--zero", str(worker)], check=True, **QUIET)
                for _ in range(requests):  # a loaded machine can stall one for long
                    get_with(port, path, headers, timeout=start_timeout)
                subprocess.run(["callgrind_control", "--dump", str(worker)], check=True, **QUIET)
                counts.append(_total(Path(workdir), worker, number) / requests)
            return counts
        finally:
            stop(server)


def _total(workdir: Path, worker: int, number: int = 1) -> int:
    """Instructions in the worker's ``number``-th dump, once callgrind has written it."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for dump in workdir.glob(f"callgrind.{worker}.{number}"):
            for line in dump.read_text().splitlines():
                if line.startswith("totals:"):
                    return int(line.split()[1])
        time.sleep(0.5)
    raise SystemExit(error(f"callgrind wrote no totals for worker {worker}"))
