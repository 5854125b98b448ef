"""Cost per Celery task of observability's task signals, with and without the Celery card's
counts, against the same task with none of the package's handlers connected.

An eager task (Celery's whole tracer, no broker) is run in alternating batches in three
set-ups: ``bare`` (observability's Celery handlers disconnected), ``metrics`` (request id,
log line and Prometheus counters: the handlers as they were before the card) and ``card``
(the same plus the card's in-process counters, flushed to a local-memory cache every 5 s).
Prints the median microseconds per task of each and the ratios. Needs only the packages;
exits non-zero only on errors.

    python benchmarks/observability_celery_tasks.py [--tasks 2000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any


def setup_django() -> None:
    import django
    from django.conf import settings

    settings.configure(
        SECRET_KEY="benchmark-only",
        INSTALLED_APPS=["prodready", "prodready_observability"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        LOGGING_CONFIG=None,
    )
    django.setup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=2000, help="tasks per batch")
    parser.add_argument("--rounds", type=int, default=7, help="batches of each set-up")
    args = parser.parse_args()
    setup_django()

    from celery import Celery, signals

    from prodready_observability import tasks
    from prodready_observability.celery_insight import store

    app = Celery("benchmark", broker="memory://", set_as_current=False)
    app.conf.update(task_always_eager=True, task_store_eager_result=False)
    noop = app.task(name="benchmark.noop")(nothing)
    recording = store.recorder.record

    def connected(on: bool) -> None:
        for signal in (signals.task_prerun, signals.task_postrun, signals.task_failure):
            signal.disconnect(dispatch_uid="prodready_observability")
        if on:
            tasks.connect_celery_signals()

    def bare() -> None:
        connected(False)

    def metrics() -> None:
        connected(True)
        store.recorder.record = lambda *a, **k: None  # type: ignore[method-assign]

    def card() -> None:
        connected(True)
        store.recorder.record = recording  # type: ignore[method-assign]

    setups: dict[str, Callable[[], None]] = {"bare": bare, "metrics": metrics, "card": card}
    timings: dict[str, list[float]] = {name: [] for name in setups}
    for _ in range(args.rounds):
        for name, prepare in setups.items():
            prepare()
            timings[name].append(batch(noop, args.tasks))
    store.recorder.flush()

    median = {name: statistics.median(values) for name, values in timings.items()}
    for name, value in median.items():
        print(f"{name:8} {value:8.1f} µs per task")
    print(f"metrics / bare: {median['metrics'] / median['bare']:.3f}")
    print(f"card / bare:    {median['card'] / median['bare']:.3f}")
    print(f"card / metrics: {median['card'] / median['metrics']:.3f}")


def nothing() -> None:
    """The task: whatever it costs is Celery's and the handlers'."""


def batch(task: Any, count: int) -> float:
    """Microseconds per task over ``count`` eager runs."""
    started = time.perf_counter()
    for _ in range(count):
        task.apply()
    return (time.perf_counter() - started) / count * 1_000_000


if __name__ == "__main__":
    main()
