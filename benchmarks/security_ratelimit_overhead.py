"""What does the rate-limit middleware cost per request, with its counters in Redis?

Starts a Redis of its own on 127.0.0.1, then three copies of one small site, each
this script again (``--serve``) under one gunicorn sync worker (Django's threaded
development server if gunicorn is not installed): the bare site; the same site with
``RateLimitMiddleware`` and one rule that matches every measured request (never
reached, so every request is counted and let through, far enough from its limit to
be counted in leases); and, as the floor, the bare site plus a middleware that only
sends one Redis PING per request on a kept connection: what any limiter with one
round trip per request must cost on this machine. All answer in alternating batches;
the best batch of each counts.

Prints the latency per request and the added microseconds, the throughput with
concurrent clients and its ratio (target: at least 0.8x the bare site) next to the
floor's, and the Redis round trips per rule check (counted by the server's Redis
connections), against django-ratelimit's own counting on the same Redis. Exits
non-zero on errors, or if a rule check costs more than one round trip.

    python benchmarks/security_ratelimit_overhead.py [--requests 1000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Any

from harness import (
    concurrent,
    error,
    free_port,
    get,
    has_gunicorn,
    sequential,
    serve_one_worker,
    stop,
    wait_for_port,
    wait_until_up,
)

CONFIG_VARIABLE = "PRODREADY_BENCH_CONFIG"
THROUGHPUT_TARGET = 0.8
SITES = {"bare": "none", "one PING": "ping", "rate limiting": "ratelimit"}
PATH = "/api/ping/"
RULE = {"name": "bench", "paths": ["/api/"], "key": "ip", "rate": "100000000/d"}


# --- the server: this script with --serve ---------------------------------------------


def serve(port: int) -> None:
    import django
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    config = json.loads(os.environ[CONFIG_VARIABLE])
    middleware = [
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
    ]
    if config["mode"] == "ratelimit":
        middleware.append("prodready_security.ratelimit.middleware.RateLimitMiddleware")
    if config["mode"] == "ping":
        middleware.append(f"{__name__}.PingMiddleware")
    settings.configure(
        DEBUG=False,
        SECRET_KEY="benchmark-only",
        ALLOWED_HOSTS=["127.0.0.1"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "prodready",
            "prodready_security",
        ],
        MIDDLEWARE=middleware,
        DATABASES={
            "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": config["database"]}
        },
        CACHES={"default": redis_cache(config["redis_url"], counting_connection())},
        PRODREADY_RATELIMIT_RULES=[RULE] if config["mode"] == "ratelimit" else [],
        LOGGING={"version": 1, "disable_existing_loggers": False},
    )
    django.setup()
    serve_one_worker(get_wsgi_application(), port)


class PingMiddleware:
    """The floor: one Redis round trip per request and nothing else, on a connection kept
    like the rate limiter keeps its own."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response
        self.client: Any = None

    def __call__(self, request: Any) -> Any:
        if self.client is None:
            import redis
            from django.core.cache import cache

            pool = cache.client.get_client(write=True).connection_pool  # type: ignore[attr-defined]
            self.client = redis.Redis(connection_pool=pool, single_connection_client=True)
        self.client.ping()
        return self.get_response(request)


def redis_cache(url: str, connection_class: type) -> dict[str, Any]:
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "OPTIONS": {
            "SOCKET_CONNECT_TIMEOUT": 1,
            "SOCKET_TIMEOUT": 1,
            "CONNECTION_POOL_KWARGS": {"connection_class": connection_class},
        },
    }


_counting: list[type] = []


def counting_connection() -> type:
    """A redis-py connection that counts what it sends: one packed send, one round trip.

    Counting in the client rather than with INFO commandstats, because Redis counts
    the commands a script runs as commands too.
    """
    if not _counting:
        from redis.connection import Connection

        class CountingConnection(Connection):
            sent = 0

            def send_packed_command(self, command: Any, check_health: bool = True) -> None:
                # The class, not type(self): the limiter puts its own connection behind
                # core's breaker, a subclass, whose round trips count here too.
                CountingConnection.sent += 1
                super().send_packed_command(command, check_health)

        _counting.append(CountingConnection)
    return _counting[0]


def round_trips_view(request: Any) -> Any:
    from django.http import JsonResponse

    return JsonResponse({"sent": counting_connection().sent})  # type: ignore[attr-defined]


def __getattr__(name: str) -> Any:
    # urlpatterns is built on first use, once Django is configured in the server.
    if name == "urlpatterns":
        from django.http import HttpResponse
        from django.urls import path

        return [
            path(PATH.strip("/") + "/", lambda request: HttpResponse("pong")),
            path("bench/round-trips/", round_trips_view),
        ]
    raise AttributeError(name)


# --- the client ----------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="requests per batch")
    parser.add_argument("--rounds", type=int, default=3, help="batches per site")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return 0

    binary = shutil.which("redis-server")
    if binary is None:
        print("skipped: redis-server is not installed (the benchmark starts its own Redis)")
        return 0
    with tempfile.TemporaryDirectory(prefix="prodready-bench-") as workdir:
        redis_port = free_port()
        redis_server = subprocess.Popen(
            [binary, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", ""],
            stdout=subprocess.DEVNULL,
            cwd=workdir,
        )
        servers: list[subprocess.Popen[bytes]] = []
        try:
            wait_for_port(redis_port, "redis-server")
            redis_url = f"redis://127.0.0.1:{redis_port}/0"
            ports = {}
            for label, mode in SITES.items():
                ports[label] = free_port()
                config = {
                    "mode": mode,
                    "redis_url": redis_url,
                    "database": os.path.join(workdir, "bench.sqlite3"),
                }
                env = {**os.environ, CONFIG_VARIABLE: json.dumps(config)}
                servers.append(
                    subprocess.Popen(
                        [sys.executable, __file__, "--serve", str(ports[label])], env=env
                    )
                )
            for port, server in zip(ports.values(), servers, strict=True):
                wait_until_up(server, lambda port=port: get(port, PATH))
            return report(ports, redis_url, args)
        finally:
            for process in [*servers, redis_server]:
                stop(process)


def report(ports: dict[str, int], redis_url: str, args: Any) -> int:
    server_name = "gunicorn, 1 sync worker" if has_gunicorn() else "Django's threaded server"
    print(f"rate-limit middleware overhead ({server_name}, 1 matching rule, Redis counters)")
    for port in ports.values():
        sequential(port, PATH, 200)  # warm up: imports, connections, the script loaded in Redis
    latency: dict[str, list[float]] = {label: [] for label in ports}
    throughput: dict[str, list[float]] = {label: [] for label in ports}
    trips_per_check: list[float] = []
    for _ in range(args.rounds):
        for label, port in ports.items():
            before = round_trips(port)
            latency[label].append(sequential(port, PATH, args.requests))
            used = round_trips(port) - before
            if label == "rate limiting":
                trips_per_check.append(used / args.requests)
            elif label == "bare" and used:
                return error(f"the bare site made {used} Redis round trips")
            throughput[label].append(concurrent(port, PATH, args.requests, args.clients))
    bare_us = min(latency["bare"]) * 1e6
    bare_rps = max(throughput["bare"])
    for label in ports:
        us, rps = min(latency[label]) * 1e6, max(throughput[label])
        line = f"  {label:14} {us:8.1f} µs/request  {rps:6.0f} req/s  {rps / bare_rps:5.2f}x"
        if label != "bare":
            line += f"  (+{us - bare_us:.1f} µs/request)"
        if label == "rate limiting":
            met = rps / bare_rps >= THROUGHPUT_TARGET
            line += f"  target >= {THROUGHPUT_TARGET}x: {'met' if met else 'MISSED'}"
        print(line)
    floor = max(throughput["rate limiting"]) / max(throughput["one PING"])
    print(f"  rate limiting against the one-PING floor: {floor:.2f}x ({args.clients} clients)")
    print(f"  for scale, one Redis PING from redis-py here: {ping_us(redis_url):6.1f} µs")
    ours = max(trips_per_check)
    theirs = django_ratelimit_round_trips(redis_url)
    print(f"  Redis round trips per rule check: {ours:.2f} (one EVALSHA per lease)")
    print(f"  django-ratelimit, same Redis:     {theirs:.2f} (cache.add, then cache.incr)")
    if ours > 1:
        return error(f"a rule check cost {ours:.2f} Redis round trips; expected at most 1")
    return 0


def round_trips(port: int) -> int:
    """Round trips the server at ``port`` has made to Redis so far."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/bench/round-trips/")
        sent: int = json.loads(connection.getresponse().read())["sent"]
    finally:
        connection.close()
    return sent


def django_ratelimit_round_trips(redis_url: str, checks: int = 200) -> float:
    """Redis round trips per check of django-ratelimit's ``is_ratelimited``, same Redis."""
    import django
    from django.conf import settings
    from django.test import RequestFactory

    connection = counting_connection()
    settings.configure(CACHES={"default": redis_cache(redis_url, connection)})
    django.setup()
    from django_ratelimit.core import is_ratelimited

    request = RequestFactory().get(PATH, REMOTE_ADDR="127.0.0.1")

    def check() -> None:
        is_ratelimited(request, group="bench", key="ip", rate=RULE["rate"], increment=True)

    check()  # connects
    before = connection.sent  # type: ignore[attr-defined]
    for _ in range(checks):
        check()
    return (connection.sent - before) / checks  # type: ignore[attr-defined]


def ping_us(redis_url: str, pings: int = 500) -> float:
    """Microseconds of one redis-py round trip to the benchmark's Redis (the floor of
    what a rule check can add)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        client.ping()
        started = time.perf_counter()
        for _ in range(pings):
            client.ping()
        return (time.perf_counter() - started) / pings * 1e6
    finally:
        client.close()


if __name__ == "__main__":
    sys.exit(main())
