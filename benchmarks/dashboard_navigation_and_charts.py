"""What the operations pages' shared navigation and the requests card's charts cost.

1. ``/ops/`` for a staff user with the navigation (``prodready_operations_pages`` of
   core and observability) against the same page with the navigation left out, in
   alternating batches; the ratio of their medians (target: at most 1.10).
2. Reading the charts' per-minute figures (``minute_figures``, one ``get_many`` of an
   hour of minutes) against the card's existing summary read (``last_hour``), from a
   local-memory cache holding an hour of requests over 20 routes; the ratio of their
   medians (target: at most 2.0).

Needs only the packages; exits non-zero only on errors.

    python benchmarks/dashboard_navigation_and_charts.py [--requests 40] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any


def setup_django() -> None:
    import django
    from django.conf import settings

    settings.configure(
        SECRET_KEY="benchmark-only",
        DEBUG=False,
        ALLOWED_HOSTS=["testserver"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "prodready",
            "prodready_observability",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.contrib.auth.context_processors.auth",
                    ]
                },
            }
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        USE_TZ=True,
        LOGGING_CONFIG=None,
        # The runner's threads would each see an empty in-memory database: only the cache.
        PRODREADY_HEALTH_DISABLED=[
            "database",
            "migrations",
            "disk",
            "storage",
            "celery",
            "scheduler",
        ],
    )
    django.setup()


urlpatterns: list[Any] = []


def median_ms(action: Callable[[], object], count: int) -> float:
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def alternate(
    first: Callable[[], float], second: Callable[[], float], rounds: int
) -> tuple[float, float]:
    """Median of each over ``rounds`` alternating batches, so load on the machine hits both."""
    a, b = [], []
    for _ in range(rounds):
        a.append(first())
        b.append(second())
    return statistics.median(a), statistics.median(b)


def verdict(ratio: float, target: float) -> str:
    return "met" if ratio <= target else "MISSED"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=40, help="requests per batch")
    parser.add_argument("--rounds", type=int, default=5, help="alternating batches")
    args, _unknown = parser.parse_known_args()

    setup_django()
    from django.core.management import call_command
    from django.test import Client
    from django.urls import include, path

    urlpatterns.append(path("", include("prodready.urls")))
    call_command("migrate", verbosity=0)

    from django.contrib.auth import get_user_model

    from prodready.templatetags import prodready_navigation
    from prodready.time_range import RANGES
    from prodready_observability.analytics.minutes import minute_figures
    from prodready_observability.analytics.store import Recorder
    from prodready_observability.analytics.summary import last_hour

    # An hour of requests over 20 routes, as the store holds them.
    now = time.time()
    recorder = Recorder()
    for minute in range(60):
        for n in range(20):
            recorder.record(f"route/{n}/", 500 if n == 0 else 200, 0.01 * n, now - minute * 60)
    recorder.flush()

    client = Client()
    client.force_login(get_user_model().objects.create_user("operator", is_staff=True))
    assert client.get("/ops/").status_code == 200

    def page(navigation: bool) -> Callable[[], float]:
        def batch() -> float:
            real = prodready_navigation.navigation_for
            if not navigation:
                prodready_navigation.navigation_for = lambda request: []  # type: ignore[assignment]
            try:
                return median_ms(lambda: client.get("/ops/?range=24h"), args.requests)
            finally:
                prodready_navigation.navigation_for = real

        return batch

    with_nav, without_nav = alternate(page(True), page(False), args.rounds)
    nav_ratio = with_nav / without_nav
    print(
        f"/ops/ with the shared navigation: {with_nav:.2f} ms, without: {without_nav:.2f} ms "
        f"(median of {args.rounds} x {args.requests}); ratio {nav_ratio:.3f} "
        f"(target <= 1.10: {verdict(nav_ratio, 1.10)})"
    )

    reads = args.requests * 5
    figures, summary = alternate(
        lambda: median_ms(lambda: minute_figures(RANGES[2], now=now), reads),
        lambda: median_ms(lambda: last_hour(now=now), reads),
        args.rounds,
    )
    read_ratio = figures / summary
    print(
        f"charts' per-minute read: {figures:.3f} ms, the card's summary read: {summary:.3f} ms "
        f"(median of {args.rounds} x {reads}); ratio {read_ratio:.3f} "
        f"(target <= 2.0: {verdict(read_ratio, 2.0)})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
