"""A locust load test of the example project's main pages, run as production runs it.

Starts a Redis of its own and a throwaway PostgreSQL database, migrates, collects the
static files and fills in the demo school (``seed_demo``), signs in staff sessions in
advance (2FA-verified, as ``prodready_security.testing.force_login_verified`` does;
one per locust user), then starts the site with its production settings the way the
production image does (``gunicorn -c gunicorn.conf.py``, ``--workers`` workers, default
2) and a Celery worker, so the health report's worker ping is answered.

locust (headless, in a child process) then runs for ``--run-time`` (default 30 s) with
``--users`` users (default 20), who arrive over the first 5 s and think 0.5 to 2 s
between pages:

- staff: the operations dashboard (every package's cards, backups' among them: the
  site has no backups page of its own), lessons, invoices, the audit log and the full
  health report;
- anonymous visitors: the login page;
- one probe: ``/health/live`` and ``/health/ready`` once a second.

Every request carries what the production nginx adds (``X-Forwarded-Proto: https``,
``X-Forwarded-For``) and must answer 200 itself (redirects are not followed). Prints
per page the requests and the 50th, 95th and 99th percentile response times once every
user has started (steady load), the failures over the whole run, and the rate. Exits
non-zero on any failure (an error, a 5xx, any answer but 200); skips (exit 0) without
locust, redis-server or PostgreSQL (``PRODREADY_TEST_POSTGRES``, default
127.0.0.1:5432).

    python benchmarks/stack_load_test.py [--run-time 30] [--users 20] [--workers 2]
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import json
import statistics
import subprocess
import sys
import time
from typing import Any

from harness import error, free_port, get_with, wait_until_up
from harness.stack import (
    BENCHMARKS,
    Stack,
    answers,
    gunicorn_command,
    missing,
    production_stack,
)

LOCUSTFILE = BENCHMARKS / "harness" / "stack_locustfile.py"
# What nginx.conf sets on every proxied request (the settings trust 127.0.0.1).
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
THINK_SECONDS = (0.5, 2.0)
RAMP_SECONDS = 5
# What the locust staff users open (harness/stack_locustfile.py).
STAFF_PAGES = ("/ops/", "/school/lessons/", "/school/invoices/", "/security/audit/", "/health/")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run-time", type=int, default=30, help="seconds of load")
    parser.add_argument("--users", type=int, default=20, help="locust users")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2 or more)")
    args = parser.parse_args()
    if args.workers < 2:
        parser.error("--workers: the load test runs 2 or more gunicorn workers")
    if args.run_time <= 2 * RAMP_SECONDS:
        parser.error(
            f"--run-time: more than {2 * RAMP_SECONDS} s, for a steady load after the start"
        )

    reason = missing()
    if reason is None and importlib.util.find_spec("locust") is None:
        reason = "locust is not installed (the `bench` dependency group has it)"
    if reason:
        print(f"skipped: {reason}")
        return 0
    started = time.monotonic()
    with production_stack("load") as stack:
        stack.prepare(demo_data=True)
        cookie, sessions = stack.staff_sessions(args.users)
        port = start_site(stack, args.workers)
        warm_up(port, {**PROXY_HEADERS, "Cookie": f"{cookie}={sessions[0]}"}, args.workers)
        print(
            f"example project, production settings, gunicorn with {args.workers} sync "
            "workers, PostgreSQL, Redis and a Celery worker; "
            f"{args.users} locust users for {args.run_time} s "
            f"(set-up took {time.monotonic() - started:.0f} s)"
        )
        results = run_locust(stack, port, cookie, sessions, args)
        return report(stack, results)


def start_site(stack: Stack, workers: int) -> int:
    """gunicorn as the production image starts it, and a Celery worker; the site's port."""
    port = free_port()
    stack.start(
        "celery",
        [
            *(sys.executable, "-m", "celery", "-A", "school_site", "worker"),
            *("--pool", "solo", "--loglevel", "WARNING", "--without-gossip", "--without-mingle"),
        ],
        # As in docker-compose.prod.yml: only gunicorn's metrics are scraped.
        {"PROMETHEUS_MULTIPROC_DIR": ""},
    )
    gunicorn = stack.start(
        "gunicorn",
        gunicorn_command("-c", "gunicorn.conf.py", "school_site.wsgi:application"),
        {"GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(workers)},
    )
    wait_until_up(gunicorn, functools.partial(answers, port, PROXY_HEADERS))
    return port


def warm_up(port: int, staff_headers: dict[str, str], workers: int) -> None:
    """Every page a few times per worker first: templates compiled, connections open."""
    for _ in range(3 * workers):
        for path in STAFF_PAGES:
            get_with(port, path, staff_headers)
        get_with(port, "/accounts/login/", PROXY_HEADERS)


def run_locust(
    stack: Stack, port: int, cookie: str, sessions: list[str], args: argparse.Namespace
) -> dict[str, Any]:
    output = stack.workdir / "locust-results.json"
    config = {
        "cookie": cookie,
        "sessions": sessions,
        "headers": PROXY_HEADERS,
        "wait": THINK_SECONDS,
        "output": str(output),
    }
    command = [
        *(sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless"),
        *("--host", f"http://127.0.0.1:{port}", "--users", str(args.users)),
        *("--spawn-rate", str(args.users / RAMP_SECONDS), "--run-time", f"{args.run_time}s"),
        *("--only-summary", "--loglevel", "WARNING", "--skip-log-setup"),
    ]
    environment = {"PRODREADY_BENCH_LOAD": json.dumps(config)}
    locust = stack.start("locust", command, environment, cwd=stack.workdir)
    limit = args.run_time + 60
    try:
        locust.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        raise SystemExit(stack.fail(f"locust did not finish within {limit} s")) from None
    if not output.exists():
        raise SystemExit(stack.fail(f"locust exited with {locust.returncode} and no results"))
    results: dict[str, Any] = json.loads(output.read_text())
    return results


def report(stack: Stack, results: dict[str, Any]) -> int:
    times: dict[str, list[float]] = results["times"]
    failures: dict[str, dict[str, int]] = results["failures"]
    columns = ("requests", "failures", "p50 ms", "p95 ms", "p99 ms")
    print(f"  {'page':22}" + "".join(f" {column:>8}" for column in columns))
    total = 0
    for name in sorted({*times, *failures}):
        samples = times.get(name, [])
        failed = sum(failures.get(name, {}).values())
        total += len(samples)
        p50, p95, p99 = percentiles(samples)
        print(f"  {name:22} {len(samples):8} {failed:8} {p50:8.1f} {p95:8.1f} {p99:8.1f}")
    all_samples = [sample for samples in times.values() for sample in samples]
    p50, p95, p99 = percentiles(all_samples)
    failed = sum(sum(errors.values()) for errors in failures.values())
    print(f"  {'all':22} {total:8} {failed:8} {p50:8.1f} {p95:8.1f} {p99:8.1f}")
    seconds = results["seconds"]
    if seconds:
        print(f"  {total / seconds:.1f} requests/s over the {seconds:.0f} s of steady load")
    if not total:
        return stack.fail("locust sent no requests")
    if failed:
        for name, errors in sorted(failures.items()):
            for message, count in errors.items():
                print(f"  failed: {name}: {count} x {message}", file=sys.stderr)
        return error(f"{failed} requests failed")
    return 0


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    """The 50th, 95th and 99th percentiles of ``samples`` (ms)."""
    if len(samples) < 2:
        only = samples[0] if samples else 0.0
        return only, only, only
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


if __name__ == "__main__":
    sys.exit(main())
