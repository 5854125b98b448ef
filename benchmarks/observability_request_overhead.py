"""What do the request middleware, its log line and the metrics cost per request?

Starts a copy of one small site per variant, each this script again (``--serve``)
under one gunicorn sync worker (Django's threaded development server if gunicorn is
not installed):

- ``bare``: the site alone;
- ``metrics``: with ``RequestMiddleware`` (request id, timing, the
  ``prodready_request_finished`` hook, Prometheus counter and histogram), its log line
  below the logging level;
- ``metrics+log``: the same, plus one JSON log line per request through
  ``configure_logging()`` (context filter, scrubber, python-json-logger with orjson), written to
  the server's stdout, which is /dev/null here;
- ``metrics+stdlib log``: the floor of any such line: the same record through a bare
  ``StreamHandler`` with logging's default formatter (the message alone, no filters);
- ``django-prometheus``: the reference, django-prometheus's before/after middleware
  (counters and histograms by view and method), when it is installed.

All answer in alternating batches, every site one batch per round, so the sites of a
round share the machine's load of that moment. Prints the latency per request and the
added microseconds (best batch), the throughput with concurrent clients, and two ratios
to the bare site: that of each site's best batch, and the median over rounds of each
round's own ratio, which a shared machine's changing load skews far less. The target
(at least 0.85x for ``metrics`` and for ``metrics+log``, whose JSON line per request is
the middleware's access log) is judged on the median. It also prints the CPU time the
gunicorn worker spent per request (from /proc on Linux) and the ratio it implies, again
the median of the rounds' ratios. With ``--instructions``, it then counts the
instructions each site's worker executes per request under valgrind's callgrind, a
measure the machine's other load does not move. Exits non-zero on errors, or if the
metrics did not count every request.

With ``--instructions`` it also counts, on a realistic page (a signed-in user's page
rendering 20 rows from one query through a template, database sessions), what the
request history adds (``PRODREADY_ANALYTICS_HISTORY``: per-route counts, slow requests,
slow query capture, users) and the per-alias query metrics (``PRODREADY_METRICS_DATABASE``):

- ``page: metrics``: the middleware with its metrics, both off: what observability cost
  before the history existed (its execute wrapper is not even installed);
- ``page: everything``: both on, its background flush every 60 seconds included.

Target: at most 1.05x the instructions per request of ``page: metrics``.

    python benchmarks/observability_request_overhead.py [--rounds 8] [--instructions]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from harness import (
    concurrent,
    cpu_seconds,
    error,
    free_port,
    has_gunicorn,
    sequential,
    serve_one_worker,
    stop,
    wait_until_up,
    worker_pids,
)

CONFIG_VARIABLE = "PRODREADY_BENCH_CONFIG"
THROUGHPUT_TARGET = 0.85
PATH = "/api/ping/"
TOKEN = "benchmark-metrics-token-0123456789abcdef"
SITES = {
    "bare": "none",
    "metrics": "quiet",
    "metrics+log": "json",
    "metrics+stdlib log": "stdlib",
}
TARGETED = ("metrics", "metrics+log")
PAGE = "/lessons/"
PAGE_SITES = {"page: metrics": False, "page: everything": True}  # the history on?
PAGE_TARGET = 1.05
ROWS = 20
SESSION_KEY = "benchmarksession0123456789abcdef"
REFERENCE = {"django-prometheus": "django_prometheus"}


# --- the server: this script with --serve ---------------------------------------------


def serve(port: int) -> None:
    import django
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    config = json.loads(os.environ[CONFIG_VARIABLE])
    if "history" in config:
        serve_page(port, config)
        return
    observed = config["mode"] != "none"
    middleware = [
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
    ]
    reference = config["mode"] == "django_prometheus"
    if reference:
        middleware.insert(0, "django_prometheus.middleware.PrometheusBeforeMiddleware")
        middleware.append("django_prometheus.middleware.PrometheusAfterMiddleware")
        observed = False
    if observed:
        middleware.insert(0, "prodready_observability.requests.middleware.RequestMiddleware")
    if config["mode"] == "json":
        from prodready_observability.logging import configure_logging

        logging_config = configure_logging(level="INFO")
    elif config["mode"] == "stdlib":
        # The floor of any access log through logging: the same record, no filters, the
        # default formatter (the message alone), the same stream.
        logging_config = {
            "version": 1,
            "disable_existing_loggers": False,
            "handlers": {"out": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout"}},
            "root": {"level": "INFO", "handlers": ["out"]},
        }
    else:
        logging_config = {"version": 1, "disable_existing_loggers": False}
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
            *(["prodready_observability"] if observed else []),
            *(["django_prometheus"] if reference else []),
        ],
        MIDDLEWARE=middleware,
        DATABASES={
            "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": config["database"]}
        },
        PRODREADY_METRICS_TOKEN=TOKEN,
        PRODREADY_METRICS_HEALTH=False,
        LOGGING=logging_config,
    )
    django.setup()
    serve_one_worker(get_wsgi_application(), port)


def page_settings(database: str, history: bool) -> dict[str, Any]:
    """The realistic page's site: database sessions, the middleware with its metrics and,
    with ``history``, the request history and the query metrics."""
    return {
        "DEBUG": False,
        "SECRET_KEY": "benchmark-only",
        "ALLOWED_HOSTS": ["127.0.0.1"],
        "ROOT_URLCONF": __name__,
        "USE_TZ": True,
        "INSTALLED_APPS": [
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "prodready",
            "prodready_observability",
        ],
        "MIDDLEWARE": [
            "prodready_observability.requests.middleware.RequestMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        "TEMPLATES": [{"BACKEND": "django.template.backends.django.DjangoTemplates"}],
        "DATABASES": {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": database}},
        "PRODREADY_METRICS_TOKEN": TOKEN,
        "PRODREADY_METRICS_HEALTH": False,
        "PRODREADY_ANALYTICS_HISTORY": history,
        "PRODREADY_METRICS_DATABASE": history,
        "LOGGING": {"version": 1, "disable_existing_loggers": False},
    }


def prepare_page_database(database: str) -> None:
    """Migrate ``database`` and fill in the page's rows, its user and a signed-in session
    (run once, outside callgrind; each site then serves a copy)."""
    import django
    from django.conf import settings
    from django.core.management import call_command

    settings.configure(**page_settings(database, history=True))
    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY
    from django.contrib.auth import SESSION_KEY as USER_KEY
    from django.contrib.auth.models import Group, User
    from django.contrib.sessions.backends.db import SessionStore

    call_command("migrate", verbosity=0)
    Group.objects.bulk_create(Group(name=f"Group {number:02d}") for number in range(ROWS + 5))
    user = User.objects.create_user("reader", password="benchmark-only-password")
    session = SessionStore()
    session._session_key = SESSION_KEY
    session[USER_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save(must_create=True)


def serve_page(port: int, config: dict[str, Any]) -> None:
    import django
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    settings.configure(**page_settings(config["database"], config["history"]))
    django.setup()
    serve_one_worker(get_wsgi_application(), port)


def rows_page(request: Any) -> Any:
    """A signed-in user's page: 20 rows from one query, through a template."""
    from django.contrib.auth.models import Group
    from django.http import HttpResponse
    from django.template import engines

    global _page_template
    if _page_template is None:  # compiled once, as the cached template loader would
        _page_template = engines["django"].from_string(
            "<h1>{{ user.get_username }}</h1><table>{% for group in groups %}"
            "<tr><td>{{ group.pk }}</td><td>{{ group.name }}</td></tr>{% endfor %}</table>"
        )
    groups = list(Group.objects.order_by("name")[:ROWS])
    return HttpResponse(_page_template.render({"groups": groups, "user": request.user}, request))


_page_template: Any = None


def __getattr__(name: str) -> Any:
    # urlpatterns is built on first use, once Django is configured in the server.
    if name == "urlpatterns":
        from django.apps import apps
        from django.http import HttpResponse
        from django.urls import include, path

        patterns = [
            path(PATH.strip("/") + "/", lambda request: HttpResponse("pong")),
            path(PAGE.strip("/") + "/", rows_page),
        ]
        if apps.is_installed("prodready_observability"):
            patterns.append(path("", include("prodready_observability.urls")))
        return patterns
    raise AttributeError(name)


# --- the client ----------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500, help="requests per batch")
    parser.add_argument("--rounds", type=int, default=8, help="batches per site")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count each site's instructions per request under valgrind (minutes)",
    )
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--prepare", metavar="DATABASE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return 0
    if args.prepare:
        prepare_page_database(args.prepare)
        return 0

    with tempfile.TemporaryDirectory(prefix="prodready-bench-") as workdir:
        variants = sites()
        servers: list[subprocess.Popen[bytes]] = []
        try:
            ports = {}
            for label, mode in variants.items():
                ports[label] = free_port()
                servers.append(
                    subprocess.Popen(
                        [sys.executable, __file__, "--serve", str(ports[label])],
                        env=server_env(mode, workdir),
                        stdout=subprocess.DEVNULL,
                    )
                )
            for port, server in zip(ports.values(), servers, strict=True):
                wait_until_up(server, lambda port=port: answers(port))
            verdict = report(
                ports, {label: s.pid for label, s in zip(ports, servers, strict=True)}, args
            )
        finally:
            for process in servers:
                stop(process)
        if args.instructions:
            verdict |= report_instructions(variants, workdir)
            verdict |= report_page_instructions(workdir)
        return verdict


def server_env(mode: str, workdir: str) -> dict[str, str]:
    config = {"mode": mode, "database": os.path.join(workdir, "bench.sqlite3")}
    env = {**os.environ, CONFIG_VARIABLE: json.dumps(config)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return env


def report_instructions(variants: dict[str, str], workdir: str) -> int:
    """The same sites under callgrind, two at a time: instructions per request."""
    from harness import instructions

    if not instructions.available():
        return error("--instructions needs valgrind (Debian: apt-get install valgrind)")

    def count(mode: str) -> float:
        port = free_port()
        command = [sys.executable, __file__, "--serve", str(port)]
        return instructions.per_request(command, server_env(mode, workdir), port, PATH)

    with ThreadPoolExecutor(max_workers=2) as pool:
        counts = dict(zip(variants, pool.map(count, variants.values()), strict=True))
    print("instructions per request in the gunicorn worker (callgrind; load does not move it)")
    for label, per_request in counts.items():
        print(f"  {label:17} {per_request / 1000:8.1f} k  {counts['bare'] / per_request:5.2f}x")
    return 0


def report_page_instructions(workdir: str) -> int:
    """The realistic page under callgrind, without and with the history: the ratio."""
    import shutil

    from harness import instructions

    if not instructions.available():
        return error("--instructions needs valgrind (Debian: apt-get install valgrind)")
    template = os.path.join(workdir, "page-template.sqlite3")
    subprocess.run([sys.executable, __file__, "--prepare", template], check=True)

    def count(label: str) -> float:
        database = os.path.join(workdir, f"page-{PAGE_SITES[label]}.sqlite3")
        shutil.copyfile(template, database)
        config = {"database": database, "history": PAGE_SITES[label]}
        env = {**os.environ, CONFIG_VARIABLE: json.dumps(config)}
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        port = free_port()
        command = [sys.executable, __file__, "--serve", str(port)]
        cookie = {"Cookie": f"sessionid={SESSION_KEY}"}
        return instructions.per_request(
            command, env, port, PAGE, requests=600, warmup=150, headers=cookie
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        counts = dict(zip(PAGE_SITES, pool.map(count, PAGE_SITES), strict=True))
    baseline = counts["page: metrics"]
    print(f"realistic page {PAGE} (signed in, {ROWS} rows from one query, a template)")
    for label, per_request in counts.items():
        ratio = per_request / baseline
        line = f"  {label:17} {per_request / 1000:8.1f} k  {ratio:5.3f}x"
        if label != "page: metrics":
            met = ratio <= PAGE_TARGET
            line += f"  target <= {PAGE_TARGET}x: {'met' if met else 'MISSED'}"
        print(line)
    return 0


def report(ports: dict[str, int], masters: dict[str, int], args: Any) -> int:
    server_name = "gunicorn, 1 sync worker" if has_gunicorn() else "Django's threaded server"
    print(f"request middleware + metrics overhead ({server_name}, {args.clients} clients)")
    for port in ports.values():
        sequential(port, PATH, 200)  # warm up: imports, first label values
    latency: dict[str, list[float]] = {label: [] for label in ports}
    throughput: dict[str, list[float]] = {label: [] for label in ports}
    cpu: dict[str, list[float]] = {label: [] for label in ports}
    workers = {label: worker_pids(master) for label, master in masters.items()}
    for _ in range(args.rounds):
        for label, port in ports.items():
            latency[label].append(sequential(port, PATH, args.requests))
            before = cpu_seconds(workers[label])
            throughput[label].append(concurrent(port, PATH, args.requests, args.clients))
            after = cpu_seconds(workers[label])
            if before is not None and after is not None:
                cpu[label].append((after - before) / args.requests)
    bare_us = min(latency["bare"]) * 1e6
    bare_rps = max(throughput["bare"])
    verdict = 0
    print("  site               µs/request   req/s   best    median     worker CPU   median")
    for label in ports:
        us, rps = min(latency[label]) * 1e6, max(throughput[label])
        ratio = paired_median(throughput[label], throughput["bare"])
        line = f"  {label:17} {us:7.1f}  {rps:9.0f}  {rps / bare_rps:5.2f}x  {ratio:5.2f}x"
        if len(cpu[label]) == args.rounds and len(cpu["bare"]) == args.rounds:
            cpu_ratio = paired_median(cpu["bare"], cpu[label])
            line += f"  {min(cpu[label]) * 1e6:7.1f} µs  {cpu_ratio:5.2f}x"
        if label != "bare":
            line += f"  (+{us - bare_us:.1f} µs/request)"
        if label in TARGETED:
            met = ratio >= THROUGHPUT_TARGET
            line += f"  target >= {THROUGHPUT_TARGET}x: {'met' if met else 'MISSED'}"
        print(line)
    expected = 200 + args.rounds * 2 * args.requests
    for label in ("metrics", "metrics+log", "metrics+stdlib log"):
        counted = counted_requests(ports[label])
        if counted != expected:
            verdict = error(f"{label}: the metrics counted {counted} requests, sent {expected}")
    if not verdict:
        print(f"  metrics counted every request ({expected} per observed site)")
    return verdict


def paired_median(values: list[float], baselines: list[float]) -> float:
    """The median of each round's ratio: the rounds are paired, the load of a moment
    weighs on both sides of its ratio."""
    pairs = zip(values, baselines, strict=True)
    return statistics.median(value / baseline for value, baseline in pairs)


def sites() -> dict[str, str]:
    """The sites to compare: ours, and django-prometheus when it is installed."""
    import importlib.util

    if importlib.util.find_spec("django_prometheus") is None:
        print("  (django-prometheus is not installed: no reference site)")
        return SITES
    return {**SITES, **REFERENCE}


def answers(port: int) -> None:
    """Any answer will do: the server is up. Not PATH, so the metrics count stays exact."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/nothing-here/")
        connection.getresponse().read()
    finally:
        connection.close()


def counted_requests(port: int) -> float:
    from prometheus_client.parser import text_string_to_metric_families

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        text = connection.getresponse().read().decode()
    finally:
        connection.close()
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "prodready_http_requests_total"
        and sample.labels.get("route") == PATH.lstrip("/")
    )


if __name__ == "__main__":
    sys.exit(main())
