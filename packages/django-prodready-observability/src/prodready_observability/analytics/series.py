"""The request analytics store as time series for the anomaly detector.

Request rate, error rate and p95 latency per minute, read back from the per-minute
counts every process adds to the shared cache (``analytics.store``), which keeps the
last 65 minutes: enough for the detector's 60-minute window.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import caches
from django.utils.translation import gettext

from prodready import TimeSeries
from prodready_observability.analytics.store import BOUNDS, _key, recorder
from prodready_observability.analytics.summary import _percentile
from prodready_observability.conf import conf
from prodready_observability.metrics.cache_counting import uncounted

# Smallest changes worth an alert: below these a site is quiet enough that a burst of
# noise is not news (benchmarks/anomaly_detection.py measures them on synthetic traffic).
REQUEST_RATE_MIN_CHANGE = 60.0  # requests per minute
ERROR_RATE_MIN_CHANGE = 3.0  # percentage points of requests answered 5xx
P95_MIN_CHANGE = 500.0  # milliseconds
# An error rate or p95 from fewer requests than this is too noisy to score.
MIN_REQUESTS = 20
# The error rate of a minute counts the minute before it too: a rate from one minute of a
# small site jumps on a single error.
ERROR_RATE_MINUTES = 2

Minutes = dict[int, tuple[int, int, list[int]]]  # minute -> (requests, errors, buckets)


def request_series() -> list[TimeSeries]:
    if conf.ANALYTICS_CACHE is None:
        return []
    return [
        TimeSeries(
            name="observability.request_rate",
            label=gettext("Request rate"),
            unit=gettext("requests/min"),
            points=request_rate,
            min_change=REQUEST_RATE_MIN_CHANGE,
            direction="both",
        ),
        TimeSeries(
            name="observability.error_rate",
            label=gettext("Error rate"),
            unit="%",
            points=error_rate,
            min_change=ERROR_RATE_MIN_CHANGE,
        ),
        TimeSeries(
            name="observability.p95_latency",
            label=gettext("p95 latency"),
            unit="ms",
            points=p95_latency,
            min_change=P95_MIN_CHANGE,
        ),
    ]


def request_rate(start: int, end: int) -> Iterable[tuple[int, float]]:
    """Requests in each minute; the empty minutes before the first request count as no
    data, not as zero, so a site that just started is not a jump from nothing."""
    points = [(minute, float(counts[0])) for minute, counts in _read(start, end).items()]
    first = next((index for index, (_, value) in enumerate(points) if value), len(points))
    return points[first:]


def error_rate(start: int, end: int) -> Iterable[tuple[int, float]]:
    return error_rate_points(_read(start - ERROR_RATE_MINUTES + 1, end), start, end)


def p95_latency(start: int, end: int) -> Iterable[tuple[int, float]]:
    return p95_points(_read(start, end))


def error_rate_points(minutes: Minutes, start: int, end: int) -> list[tuple[int, float]]:
    """Percent of requests answered 5xx over the ``ERROR_RATE_MINUTES`` up to each minute
    of ``[start, end)``; minutes with fewer than ``MIN_REQUESTS`` requests have no point."""
    found = []
    for minute in range(start, end):
        span = [
            minutes.get(at, (0, 0, []))
            for at in range(minute - ERROR_RATE_MINUTES + 1, minute + 1)
        ]
        requests = sum(counts[0] for counts in span)
        if requests >= MIN_REQUESTS:
            found.append((minute, 100 * sum(counts[1] for counts in span) / requests))
    return found


def p95_points(minutes: Minutes) -> list[tuple[int, float]]:
    """Each minute's p95 latency in ms (the upper bound of its bucket)."""
    found = []
    for minute, (requests, _, buckets) in minutes.items():
        p95 = _percentile(buckets, 0.95) if requests >= MIN_REQUESTS else None
        if p95 is not None and p95 != float("inf"):
            found.append((minute, p95))
    return found


@uncounted()  # the dashboard's own figures are not the site's cache traffic
def _read(start: int, end: int) -> Minutes:
    """Counts of each minute in ``[start, end)``; minutes without requests count zero."""
    alias = conf.ANALYTICS_CACHE
    if alias is None:
        return {}
    recorder.flush()  # this process's latest counts too
    names = ["requests", "errors", *(f"bucket:{i}" for i in range(len(BOUNDS)))]
    minutes = range(start, end)
    found = caches[alias].get_many([_key(minute, name) for minute in minutes for name in names])

    def count(minute: int, name: str) -> int:
        return int(found.get(_key(minute, name)) or 0)

    return {
        minute: (
            count(minute, "requests"),
            count(minute, "errors"),
            [count(minute, f"bucket:{i}") for i in range(len(BOUNDS))],
        )
        for minute in minutes
    }
