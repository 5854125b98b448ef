"""Failed Celery tasks per minute, for the anomaly detector (hook ``prodready_time_series``).

Read back from the per-minute failure counts every process adds to the shared cache
(``celery_insight.store``), which keeps 65 minutes: enough for the detector's window.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import caches
from django.utils.translation import gettext

from prodready import TimeSeries
from prodready_observability.celery_insight import store
from prodready_observability.conf import conf
from prodready_observability.metrics.cache_counting import uncounted

NAME = "observability.celery_failures"
# Fewer extra failures a minute than this are a flaky task, not an incident.
MIN_CHANGE = 5.0


def celery_failure_series() -> list[TimeSeries]:
    """The series, while Celery is installed and the store is on."""
    if conf.ANALYTICS_CACHE is None:
        return []
    try:
        import celery  # noqa: F401
    except ImportError:
        return []
    return [
        TimeSeries(
            name=NAME,
            label=gettext("Failed Celery tasks"),
            unit=gettext("tasks/min"),
            points=failures,
            min_change=MIN_CHANGE,
        )
    ]


@uncounted()  # the dashboard's own figures are not the site's cache traffic
def failures(start: int, end: int) -> Iterable[tuple[int, float]]:
    """Failed tasks in each minute of ``[start, end)``; a minute without one counts zero."""
    alias = conf.ANALYTICS_CACHE
    if alias is None:
        return []
    store.recorder.flush()  # this process's latest counts too
    minutes = range(start, end)
    found = caches[alias].get_many([store.key(minute, "failure") for minute in minutes])
    return [(minute, float(found.get(store.key(minute, "failure")) or 0)) for minute in minutes]
