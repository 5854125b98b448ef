"""A dependency that accepts connections and never answers: how fast is readiness told?

A local socket that accepts and never replies stands in for the database, then for
the cache. This script starts itself again as a Django server on 127.0.0.1
(``--serve``) pointed at that socket and asks ``/health/ready`` three times. Each
answer must be a 503 naming the hung check within the check timeout + 0.5 s; the
first waits out the timeout, the later ones find the check still hanging and
answer at once. Prints the measured times; exits non-zero only on errors.

    python benchmarks/health_hung_dependency.py [--timeout 1.0]
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any

from harness import error, free_port

CONFIG_VARIABLE = "PRODREADY_BENCH_CONFIG"
MARGIN_SECONDS = 0.5
PROBES = 3


# --- the server: this script with --serve ---------------------------------------


def serve(port: int) -> None:
    import django
    from django.conf import settings
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application

    config = json.loads(os.environ[CONFIG_VARIABLE])
    settings.configure(
        DEBUG=False,
        SECRET_KEY="benchmark-only",
        ALLOWED_HOSTS=["127.0.0.1"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=["prodready"],
        MIDDLEWARE=["django.middleware.common.CommonMiddleware"],
        DATABASES={"default": config["database"]},
        CACHES={"default": config["cache"]},
        MEDIA_ROOT=config["media_root"],
        PRODREADY_HEALTH_CHECK_TIMEOUT=config["timeout"],
        PRODREADY_HEALTH_CACHE_SECONDS=0,  # every probe asks again
        LOGGING={
            "version": 1,
            "disable_existing_loggers": False,
            "loggers": {
                # The 503s and the health warnings are what this benchmark provokes.
                "django.server": {"level": "CRITICAL"},
                "prodready.health": {"level": "CRITICAL"},
            },
        },
    )
    django.setup()
    run("127.0.0.1", port, get_wsgi_application(), threading=True)


def __getattr__(name: str) -> Any:
    # urlpatterns is built on first use, once Django is configured in the server.
    if name == "urlpatterns":
        from django.urls import include, path

        return [path("health/", include("prodready.health.urls"))]
    raise AttributeError(name)


# --- the client ---------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=1.0, help="per-check timeout (s)")
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return 0

    from prodready.health.testing import silent_server

    bound = args.timeout + MARGIN_SECONDS
    print(f"hung dependency: check timeout {args.timeout:g} s, bound {bound:g} s")
    failures = 0
    with tempfile.TemporaryDirectory(prefix="prodready-bench-") as media_root:
        for dependency, needs in (("database", "psycopg"), ("cache", "redis")):
            if importlib.util.find_spec(needs) is None:
                print(f"{dependency}: skipped, {needs} is not installed")
                continue
            with silent_server() as (host, port):
                config = scenario(dependency, host, port, media_root, args.timeout)
                failures += run_scenario(dependency, config, bound)
    return 1 if failures else 0


def scenario(
    dependency: str, host: str, port: int, media_root: str, timeout: float
) -> dict[str, Any]:
    database: dict[str, Any] = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": f"{media_root}/bench.db",
    }
    cache: dict[str, Any] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if dependency == "database":
        database = {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": host,
            "PORT": port,
            "NAME": "app",
        }
    else:
        cache = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://{host}:{port}/0",
        }
    return {"database": database, "cache": cache, "media_root": media_root, "timeout": timeout}


def run_scenario(dependency: str, config: dict[str, Any], bound: float) -> int:
    """Probe ``/health/ready`` against one hung dependency; the number of errors."""
    port = free_port()
    env = {**os.environ, CONFIG_VARIABLE: json.dumps(config)}
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(port)], env=env)
    try:
        wait_until_up(port, server)
        errors = 0
        for probe in range(1, PROBES + 1):
            status, body, seconds = timed_get(port, "/health/ready")
            failing = body.get("failing", [])
            hung = f"{dependency}:default"
            verdict = "met" if seconds <= bound else "MISSED"
            print(
                f"{dependency}: probe {probe} answered {status} in {seconds:.3f} s "
                f"(bound {bound:g} s: {verdict}), failing: {', '.join(failing)}"
            )
            if status != 503 or hung not in failing:
                errors += error(f"expected a 503 naming {hung}, got {status} {body}")
        return errors
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def timed_get(port: int, path: str) -> tuple[int, dict[str, Any], float]:
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        started = time.perf_counter()
        client.request("GET", path)
        response = client.getresponse()
        body = response.read()
        seconds = time.perf_counter() - started
    finally:
        client.close()
    return response.status, json.loads(body), seconds


def wait_until_up(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(error(f"the server exited with {server.returncode}"))
        try:
            status, body, _ = timed_get(port, "/health/live")
        except OSError:
            time.sleep(0.1)
            continue
        if status != 200:
            raise SystemExit(error(f"/health/live answered {status} {body}"))
        return
    raise SystemExit(error("the server did not start within 30 s"))


if __name__ == "__main__":
    sys.exit(main())
