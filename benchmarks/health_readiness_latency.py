"""Readiness probe latency against a bare Django view, over a real HTTP server.

Starts this script again as a Django server on 127.0.0.1 (``--serve``), then sends
interleaved requests to a bare view and to ``/health/ready`` over one keep-alive
connection and prints the median and p99 of each, their ratio and how many
database connections the server opened meanwhile. Target: within 1.5x of the bare
view while results are cached, and no new database connection per probe.

Uses PostgreSQL and Redis when reachable (``PRODREADY_TEST_POSTGRES``,
``PRODREADY_TEST_REDIS``, defaults 127.0.0.1:5432 and 127.0.0.1:6379), otherwise
SQLite and the local-memory cache, and says so. Exits non-zero only on errors.

    python benchmarks/health_readiness_latency.py [--requests 500]
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

from harness import error, free_port

CONFIG_VARIABLE = "PRODREADY_BENCH_CONFIG"
TOKEN = "bench-token"
TARGET_RATIO = 1.5
TARGET_UNCACHED_MS = 5.0


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
        MIDDLEWARE=[
            "django.middleware.security.SecurityMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        ],
        DATABASES={"default": config["database"]},
        CACHES={"default": config["cache"]},
        MEDIA_ROOT=config["media_root"],
        PRODREADY_HEALTH_TOKEN=TOKEN,
        PRODREADY_HEALTH_CACHE_SECONDS=config["cache_seconds"],
        LOGGING={
            "version": 1,
            "disable_existing_loggers": False,
            "loggers": {"django.server": {"level": "WARNING"}},
        },
    )
    django.setup()
    from django.db.backends.signals import connection_created

    from prodready.health import runner

    connection_created.connect(_count_connection)
    run_checks = runner.run_enabled_checks

    def counted_run_checks() -> Any:
        _counts["check_runs"] += 1
        return run_checks()

    runner.run_enabled_checks = counted_run_checks
    run("127.0.0.1", port, get_wsgi_application(), threading=True, server_cls=_server_class())


_counts = {"connections_created": 0, "check_runs": 0}


def _count_connection(**kwargs: Any) -> None:
    _counts["connections_created"] += 1


def _server_class() -> type:
    from django.core.servers.basehttp import WSGIServer

    class NoDelayWSGIServer(WSGIServer):
        # Responses are written in pieces; without TCP_NODELAY, Nagle's algorithm and
        # delayed ACKs add ~40 ms to every keep-alive request and hide what we measure.
        def get_request(self) -> tuple[socket.socket, Any]:
            conn, address = super().get_request()
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return conn, address

    return NoDelayWSGIServer


def bare(request: Any) -> Any:
    from django.http import HttpResponse

    return HttpResponse(b"ok")


def stats(request: Any) -> Any:
    from django.http import JsonResponse

    return JsonResponse(_counts)


def __getattr__(name: str) -> Any:
    # urlpatterns is built on first use, once Django is configured in the server.
    if name == "urlpatterns":
        from django.urls import include, path

        return [
            path("bare", bare),
            path("stats", stats),
            path("health/", include("prodready.health.urls")),
        ]
    raise AttributeError(name)


# --- the client ---------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument(
        "--cache-seconds", type=float, default=3.0, help="PRODREADY_HEALTH_CACHE_SECONDS"
    )
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return 0
    with tempfile.TemporaryDirectory(prefix="prodready-bench-") as media_root:
        config, services = service_config(media_root)
        config["cache_seconds"] = args.cache_seconds
        print(f"readiness latency: {args.requests} requests each, services: {services}")
        port = free_port()
        env = {**os.environ, CONFIG_VARIABLE: json.dumps(config)}
        server = subprocess.Popen([sys.executable, __file__, "--serve", str(port)], env=env)
        try:
            return benchmark(port, server, args.requests, args.cache_seconds)
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def benchmark(
    port: int, server: subprocess.Popen[bytes], requests: int, cache_seconds: float
) -> int:
    client = wait_until_up(port, server)
    started = time.perf_counter()
    status, body, first_ms = timed_get(client, "/health/ready")
    if status != 200:
        return error(f"/health/ready answered {status} {body!r}; the services are not healthy")
    print(f"first probe, running the checks: {first_ms:.1f} ms")
    _, detail, _ = timed_get(client, "/health/", {"Authorization": f"Bearer {TOKEN}"})
    names = [check["name"] for check in json.loads(detail)["checks"]]
    print(f"checks: {', '.join(names)} (results cached {cache_seconds:g} s)")
    for _ in range(50):  # warm-up
        timed_get(client, "/bare")
        timed_get(client, "/health/ready")
    before = json.loads(timed_get(client, "/stats")[1])
    timings: dict[str, list[float]] = {"/bare": [], "/health/ready": []}
    measure_started = time.perf_counter()
    for _ in range(requests):
        for path, samples in timings.items():  # interleaved: same conditions for both
            status, body, elapsed_ms = timed_get(client, path)
            if status != 200:
                return error(f"{path} answered {status} {body!r}")
            samples.append(elapsed_ms)
    measured_seconds = time.perf_counter() - measure_started
    after = json.loads(timed_get(client, "/stats")[1])
    counts = {name: after[name] - before[name] for name in after}
    report(timings, counts, measured_seconds, requests, cache_seconds)
    print(f"total time: {time.perf_counter() - started:.1f} s")
    return 0


def report(
    timings: dict[str, list[float]],
    counts: dict[str, int],
    seconds: float,
    requests: int,
    cache_seconds: float,
) -> None:
    summary = {path: (statistics.median(s), percentile(s, 99)) for path, s in timings.items()}
    for path, (median, p99) in summary.items():
        print(f"{path:<14} median {median:7.3f} ms   p99 {p99:7.3f} ms")
    bare_median, bare_p99 = summary["/bare"]
    ready_median, ready_p99 = summary["/health/ready"]
    ratio = ready_median / bare_median
    if cache_seconds:
        verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
        target = f"target median <= {TARGET_RATIO}x: {verdict}"
    else:
        verdict = "met" if ready_median <= TARGET_UNCACHED_MS else "MISSED"
        target = f"uncached, target median <= {TARGET_UNCACHED_MS:g} ms: {verdict}"
    print(f"ratio ready/bare: median {ratio:.2f}x, p99 {ready_p99 / bare_p99:.2f}x ({target})")
    connections, runs = counts["connections_created"], counts["check_runs"]
    expected = math.ceil(seconds / cache_seconds) if cache_seconds else requests
    print(
        f"during {requests} probes over {seconds:.1f} s: checks ran {runs} times "
        f"(at most {expected} expected), database connections "
        f"opened {connections} ({connections / max(runs, 1):.0f} per run, "
        f"{connections / requests:.3f} per probe)"
    )


def percentile(samples: list[float], percent: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[percent - 1]


def timed_get(
    client: http.client.HTTPConnection, path: str, headers: dict[str, str] | None = None
) -> tuple[int, bytes, float]:
    started = time.perf_counter()
    client.request("GET", path, headers=headers or {})
    response = client.getresponse()
    body = response.read()
    return response.status, body, (time.perf_counter() - started) * 1000


def wait_until_up(port: int, server: subprocess.Popen[bytes]) -> http.client.HTTPConnection:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(error(f"the server exited with {server.returncode}"))
        try:
            client = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            status, body, _ = timed_get(client, "/health/live")
        except OSError:
            time.sleep(0.1)
            continue
        if status != 200:
            raise SystemExit(error(f"/health/live answered {status} {body!r}"))
        return client
    raise SystemExit(error("the server did not start within 30 s"))


def service_config(media_root: str) -> tuple[dict[str, Any], str]:
    """PostgreSQL and Redis when reachable, else SQLite and local memory."""
    pg_host, pg_port = address("PRODREADY_TEST_POSTGRES", "127.0.0.1:5432")
    redis_host, redis_port = address("PRODREADY_TEST_REDIS", "127.0.0.1:6379")
    names = []
    if importlib.util.find_spec("psycopg") and reachable(pg_host, pg_port):
        database = {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": pg_host,
            "PORT": pg_port,
            "USER": os.environ.get("PRODREADY_TEST_POSTGRES_USER", "postgres"),
            "NAME": "postgres",
        }
        names.append(f"PostgreSQL {pg_host}:{pg_port}")
    else:
        database = {"ENGINE": "django.db.backends.sqlite3", "NAME": f"{media_root}/bench.db"}
        names.append("SQLite (PostgreSQL not reachable)")
    if importlib.util.find_spec("redis") and reachable(redis_host, redis_port):
        cache = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://{redis_host}:{redis_port}/14",
        }
        names.append(f"Redis {redis_host}:{redis_port}")
    else:
        cache = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        names.append("local-memory cache (Redis not reachable)")
    config = {"database": database, "cache": cache, "media_root": media_root}
    return config, ", ".join(names)


def address(variable: str, default: str) -> tuple[str, int]:
    host, _, port = os.environ.get(variable, default).rpartition(":")
    return host, int(port)


def reachable(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
