"""What does the example project's production middleware cost, against Django's default?

The example project (``example_project/``, all four packages installed) runs twice under
gunicorn, one sync worker each, on one PostgreSQL database and one Redis of its own (a
throwaway database, a ``redis-server`` on a free port), with the production settings
(``school_site.settings.production``: cached-db sessions in Redis, persistent database
connections, JSON log lines at INFO, metrics in a multi-process directory):

- ``production``: the settings' whole ``MIDDLEWARE``: request id, timing, a JSON log
  line and metrics (observability), security headers, rate limits, session activity,
  enforced 2FA and the audit context (security), WhiteNoise, and Django's own;
- ``django-default``: the same project with ``MIDDLEWARE`` alone replaced by the list
  ``django-admin startproject`` writes (``harness/stack_settings.py``).

Only the middleware differs: views, templates, signals and services are the same. Both
answer 200 to the same requests, which carry what the production nginx adds
(``X-Forwarded-Proto: https``, ``X-Forwarded-For``), on three pages:

- ``/accounts/login/``: an anonymous visitor's page (a template and a CSRF cookie);
- ``/``: the home page of a signed-in, 2FA-verified staff user, so the middleware does
  all its work (the session from Redis, the user and the 2FA device from PostgreSQL,
  session activity, the audit context) while the view stays light: the stack's cost
  stands out rather than drowning in a slow page;
- ``/health/live``: a view that does nothing, the fixed cost of each stack (no target:
  no visitor asks for it, and the benchmark's own client is most of its time).

The demo school from ``seed_demo`` is in the database. The variants answer in
alternating batches, each batch one request at a time and then with concurrent clients;
the best batch counts. Printed per page: latency, throughput with concurrent clients
and its ratio to ``django-default`` (target: at least 0.7x on the login and home pages),
and the CPU time the gunicorn worker spent per request (from /proc on Linux), which
other load on the machine moves less than throughput: its ratio is printed too, as a
check on a throughput ratio that a busy machine skewed. gunicorn writes no access log,
so its own work per request is the same small constant in both.

When a page misses the target, or with ``--breakdown``, the script then times each
middleware in-process on that page (``harness/layers.py``) and prints where the
production stack spends its microseconds.

Exits non-zero only on errors; skips (exit 0) without redis-server or PostgreSQL
(``PRODREADY_TEST_POSTGRES``, default 127.0.0.1:5432).

    python benchmarks/stack_middleware_overhead.py [--requests 300] [--rounds 5] [--breakdown]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from harness import (
    cpu_seconds,
    error,
    free_port,
    get_with,
    mean_seconds,
    per_second,
    wait_until_up,
    worker_pids,
)
from harness.stack import (
    BENCHMARKS,
    MIDDLEWARE_VARIABLE,
    Stack,
    answers,
    gunicorn_command,
    missing,
    production_stack,
)

THROUGHPUT_TARGET = 0.7
VARIANTS = ("django-default", "production")
SETTINGS = "harness.stack_settings"
# What nginx.conf sets on every proxied request (the settings trust 127.0.0.1).
PROXY_HEADERS = {
    "Host": "127.0.0.1",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-For": "203.0.113.7",
    "User-Agent": "prodready-benchmark",
}


@dataclass(frozen=True)
class Page:
    path: str
    signed_in: bool
    target: bool


PAGES = {
    "login page, anonymous": Page("/accounts/login/", signed_in=False, target=True),
    "home page, staff with 2FA": Page("/", signed_in=True, target=True),
    "liveness probe": Page("/health/live", signed_in=False, target=False),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="requests per batch")
    parser.add_argument("--rounds", type=int, default=5, help="batches per variant and page")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    parser.add_argument(
        "--breakdown", action="store_true", help="time each middleware even if targets are met"
    )
    parser.add_argument("--layers", metavar="JSON", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.layers:
        return time_layers_here(**json.loads(args.layers))

    reason = missing()
    if reason:
        print(f"skipped: {reason}")
        return 0
    started = time.monotonic()
    with production_stack("stack") as stack:
        stack.prepare(demo_data=True)
        cookie_name, [session_key] = stack.staff_sessions(1)
        servers = start_servers(stack)
        cookie = {"Cookie": f"{cookie_name}={session_key}"}
        headers = {
            label: {**PROXY_HEADERS, **(cookie if page.signed_in else {})}
            for label, page in PAGES.items()
        }
        print(
            "example project, production settings, gunicorn with 1 sync worker, PostgreSQL "
            f"and Redis, {args.clients} concurrent clients "
            f"(set-up took {time.monotonic() - started:.0f} s)"
        )
        missed = report(servers, headers, args)
        for label in PAGES if args.breakdown else missed:
            if PAGES[label].target:
                breakdown(stack, label, headers[label], args)
    return 0


# --- the two servers -----------------------------------------------------------------


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    workers: list[int] = field(default_factory=list)

    def cpu(self) -> float | None:
        """CPU seconds its worker has used so far (None where /proc does not tell)."""
        workers = worker_pids(self.process.pid)
        if self.workers and workers != self.workers:
            raise SystemExit(error(f"gunicorn's worker changed ({self.workers} -> {workers})"))
        self.workers = workers
        return cpu_seconds(workers)


def site_env(variant: str) -> dict[str, str]:
    """The settings shim, importable, and which middleware it is to use."""
    python_path = [str(BENCHMARKS), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "PYTHONPATH": os.pathsep.join(python_path),
        MIDDLEWARE_VARIABLE: variant,
    }


def start_servers(stack: Stack) -> dict[str, Server]:
    """One gunicorn per variant, as the production image starts it, minus the access log."""
    servers: dict[str, Server] = {}
    for variant in VARIANTS:
        port = free_port()
        command = gunicorn_command(
            *("--bind", f"127.0.0.1:{port}", "--workers", "1", "--worker-class", "sync"),
            "school_site.wsgi:application",
        )
        # Not in example_project/, where gunicorn would read gunicorn.conf.py: its access
        # log and its worker recycling (every ~1000 requests) would blur the comparison.
        process = stack.start(variant, command, site_env(variant), cwd=stack.workdir)
        servers[variant] = Server(port, process)
    for server in servers.values():
        wait_until_up(server.process, functools.partial(answers, server.port, PROXY_HEADERS))
    return servers


# --- the comparison ------------------------------------------------------------------


@dataclass
class Batches:
    """The batches of one variant on one page; the best of each measure counts."""

    latency: list[float] = field(default_factory=list)
    throughput: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def measure(
        self, server: Server, send: Callable[[], object], args: argparse.Namespace
    ) -> None:
        before = server.cpu()
        self.latency.append(mean_seconds(send, args.requests))
        self.throughput.append(per_second(send, args.requests, args.clients))
        after = server.cpu()
        if before is not None and after is not None:
            self.cpu.append((after - before) / (2 * args.requests))


def report(
    servers: dict[str, Server], headers: dict[str, dict[str, str]], args: argparse.Namespace
) -> list[str]:
    """Measure and print every page; the pages that missed the target."""

    def sender(variant: str, label: str) -> Callable[[], None]:
        port, path = servers[variant].port, PAGES[label].path
        return functools.partial(get_with, port, path, headers[label])

    for variant in VARIANTS:
        for label in PAGES:
            mean_seconds(sender(variant, label), 100)  # warm up: imports, connections, caches
    batches = {(variant, label): Batches() for variant in VARIANTS for label in PAGES}
    for _ in range(args.rounds):
        for label in PAGES:
            for variant in VARIANTS:
                batches[variant, label].measure(servers[variant], sender(variant, label), args)
    missed = []
    for label, page in PAGES.items():
        bare, ours = batches["django-default", label], batches["production", label]
        ratio = max(ours.throughput) / max(bare.throughput)
        print(f"  {label} (GET {page.path})")
        for variant, measured in (("django-default", bare), ("production", ours)):
            line = (
                f"    {variant:15} {min(measured.latency) * 1e6:6.0f} µs/request "
                f"{max(measured.throughput):6.0f} req/s"
            )
            if measured.cpu:
                line += f"  server CPU {min(measured.cpu) * 1e6:5.0f} µs/request"
            print(line)
        line = f"    added +{(min(ours.latency) - min(bare.latency)) * 1e6:.0f} µs/request"
        if ours.cpu and bare.cpu:
            line += f", server CPU +{(min(ours.cpu) - min(bare.cpu)) * 1e6:.0f} µs"
        line += f"; throughput ratio {ratio:.2f}x"
        if ours.cpu and bare.cpu:
            line += f" (by server CPU {min(bare.cpu) / min(ours.cpu):.2f}x)"
        if page.target:
            met = ratio >= THROUGHPUT_TARGET
            line += f", target >= {THROUGHPUT_TARGET}x: {'met' if met else 'MISSED'}"
            if not met:
                missed.append(label)
        else:
            line += ", no target: the stacks' fixed cost"
        print(line)
    return missed


# --- where the time goes -------------------------------------------------------------


def breakdown(stack: Stack, label: str, headers: dict[str, str], args: argparse.Namespace) -> None:
    """Print each middleware's own microseconds on one page, for both variants.

    One process holds both stacks (only MIDDLEWARE differs) and alternates between them.
    """
    output = stack.workdir / "layers.json"
    config = {
        "path": PAGES[label].path,
        "headers": headers,
        "requests": args.requests,
        "output": str(output),
    }
    command = [sys.executable, __file__, "--layers", json.dumps(config)]
    process = stack.start("layers", command, site_env("production"))
    try:
        status = process.wait(timeout=600)
    except subprocess.TimeoutExpired:
        raise SystemExit(stack.fail("timing each middleware took over 600 s")) from None
    if status:
        raise SystemExit(stack.fail(f"timing each middleware failed with status {status}"))
    results = json.loads(output.read_text())
    bare = dict(results["django-default"])
    print(f"  where the time goes on the {label}: µs/request in-process, best of 5 batches")
    print(f"    {'production':>10} {'default':>8}  middleware")
    for name, us in results["production"]:
        theirs = f"{bare[name]:8.0f}" if name in bare else f"{'-':>8}"
        print(f"    {us:10.0f} {theirs}  {name}")


def time_layers_here(path: str, headers: dict[str, str], requests: int, output: str) -> int:
    """The child of :func:`breakdown`: Django set up with the production settings."""
    import django
    from django.conf import settings
    from harness.layers import time_layers
    from harness.stack_settings import DJANGO_DEFAULT_MIDDLEWARE

    django.setup()
    stacks = {"production": settings.MIDDLEWARE, "django-default": DJANGO_DEFAULT_MIDDLEWARE}
    results = time_layers(stacks, path, headers, requests)
    Path(output).write_text(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
