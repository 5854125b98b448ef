"""Per-minute request figures over a dashboard time range, for the requests card's charts.

The one place the card reads history from. Today it is the analytics store in the cache,
which keeps the last ``KEEP_MINUTES``, so a longer range gets the last hour and says so
(``covers_range``); a database history can replace :func:`minute_figures` alone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import caches

from prodready.time_range import TimeRange
from prodready_observability.analytics.store import BOUNDS, _key, recorder
from prodready_observability.analytics.summary import HOUR, _percentile
from prodready_observability.conf import conf
from prodready_observability.metrics.cache_counting import uncounted


@dataclass(frozen=True)
class MinuteFigures:
    """One value per minute, oldest first; ``minutes`` are Unix times in seconds."""

    minutes: tuple[int, ...]
    requests: tuple[int, ...]
    errors: tuple[int, ...]
    p95_ms: tuple[float | None, ...]
    covers_range: bool  # False: the range reaches back further than the store keeps


def recent_minutes(time_range: TimeRange, now: float | None = None) -> tuple[str, range] | None:
    """The store's cache alias and the minutes of ``time_range`` it still holds, after
    this process's latest counts are flushed; None when the store is off."""
    alias = conf.ANALYTICS_CACHE
    if alias is None:
        return None
    recorder.flush()  # this process's latest counts too
    current = int((time.time() if now is None else now) // 60)
    # The store holds whole minutes for the last hour (KEEP_MINUTES leaves a margin).
    span = min(time_range.minutes, HOUR)
    return alias, range(current - span + 1, current + 1)


@uncounted()  # the dashboard's own figures are not the site's cache traffic
def minute_figures(time_range: TimeRange, now: float | None = None) -> MinuteFigures | None:
    """None when the store is off (``PRODREADY_ANALYTICS_CACHE = None``)."""
    recent = recent_minutes(time_range, now)
    if recent is None:
        return None
    alias, minutes = recent
    buckets = [f"bucket:{index}" for index in range(len(BOUNDS))]
    names = ["requests", "errors", *buckets]
    found = caches[alias].get_many([_key(minute, name) for minute in minutes for name in names])

    def count(minute: int, name: str) -> int:
        return int(found.get(_key(minute, name)) or 0)

    return MinuteFigures(
        minutes=tuple(minute * 60 for minute in minutes),
        requests=tuple(count(minute, "requests") for minute in minutes),
        errors=tuple(count(minute, "errors") for minute in minutes),
        p95_ms=tuple(
            _percentile([count(minute, name) for name in buckets], 0.95) for minute in minutes
        ),
        covers_range=len(minutes) >= time_range.minutes,
    )
