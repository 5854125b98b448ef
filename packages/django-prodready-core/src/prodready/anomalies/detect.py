"""The detector's periodic task: score every plugin's series for the last complete minute.

Runs once a minute (``prodready.detect_anomalies`` on Celery beat, see
``prodready.schedule.connect``). The state of each series (its episode, and the latest
score for the dashboard) lives in the default cache, which beat, workers and web
processes share, as the scheduler's heartbeat does. A cache ``add`` per minute makes
sure that one run scores a minute even when two workers got the task.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.utils.translation import gettext

import prodready
from prodready.anomalies.score import Change, Score, State, advance, score
from prodready.conf import conf
from prodready.contracts import TimeSeries

logger = logging.getLogger(__name__)

TASK = "prodready.detect_anomalies"
CRON = "* * * * *"
PREFIX = "prodready:anomalies:v1"
# A series' state outlives a day without runs (beat stopped, a deploy) comfortably.
KEEP_SECONDS = 2 * 24 * 3600


@dataclass(frozen=True)
class Outcome:
    """What one run found for one series."""

    series: str
    score: Score | None  # None when the minute has no point
    change: Change | None
    notified: bool


def state_key(name: str) -> str:
    return f"{PREFIX}:state:{name}"


def detect(now: float | None = None) -> list[Outcome]:
    """Score the last complete minute of every series; notify episodes that start or end."""
    minute = int((time.time() if now is None else now) // 60) - 1
    cache = caches[DEFAULT_CACHE_ALIAS]
    if not cache.add(f"{PREFIX}:ran:{minute}", True, 600):
        return []  # another run scored this minute
    from prodready import hooks

    every = hooks.time_series()
    saved = cache.get_many([state_key(series.name) for series in every])
    outcomes, updates = [], {}
    for series in every:
        record = saved.get(state_key(series.name))
        outcome, record = _detect_one(series, minute, record)
        outcomes.append(outcome)
        if record is not None:
            updates[state_key(series.name)] = record
    if updates:
        cache.set_many(updates, KEEP_SECONDS)
    return outcomes


def _detect_one(
    series: TimeSeries, minute: int, record: dict[str, Any] | None
) -> tuple[Outcome, dict[str, Any] | None]:
    try:
        points = dict(series.points(minute - series.window_minutes, minute + 1))
    except Exception:
        logger.exception("Time series %r could not be read", series.name)
        return Outcome(series.name, None, None, False), None
    if minute not in points:  # no run this minute (a per-run series): nothing changes
        return Outcome(series.name, None, None, False), None
    history = [value for at, value in sorted(points.items()) if at < minute]
    found = score(
        history,
        points[minute],
        threshold=conf.ANOMALY_THRESHOLD,
        min_change=series.min_change,
        direction=series.direction,
    )
    before = State(**record["state"]) if record else State()
    after, change = advance(
        before,
        found.anomalous,
        minute,
        confirm=series.confirm,
        calm=series.calm,
        cooldown_minutes=conf.ANOMALY_COOLDOWN_MINUTES,
    )
    notified = change is not None and (after.notified if change == "started" else before.notified)
    if change is not None and notified:
        _notify(series, found, minute, change, after.started or before.started or minute)
    record = {
        "state": asdict(after),
        "value": found.value,
        "median": None if math.isnan(found.median) else found.median,
        "minute": minute,
    }
    return Outcome(series.name, found, change, notified), record


def _notify(series: TimeSeries, found: Score, minute: int, change: Change, started: int) -> None:
    at = datetime.fromtimestamp(minute * 60, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
    since = datetime.fromtimestamp(started * 60, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
    figures = {
        "label": series.label,
        "value": _figure(found.value),
        "median": _figure(found.median),
        "unit": series.unit,
        "at": at,
        "since": since,
        "minutes": series.window_minutes,
    }
    if change == "started":
        subject = gettext("Anomaly: %(label)s") % figures
        message = (
            gettext(
                "%(label)s was %(value)s %(unit)s at %(at)s, against a median of %(median)s "
                "%(unit)s over the previous %(minutes)s minutes."
            )
            % figures
        )
    else:
        subject = gettext("Anomaly over: %(label)s") % figures
        message = (
            gettext(
                "%(label)s is back to normal: %(value)s %(unit)s at %(at)s (median %(median)s "
                "%(unit)s). The anomaly started at %(since)s."
            )
            % figures
        )
    prodready.notify(
        subject,
        message,
        level="warning",
        source="prodready.anomalies",
        series=series.name,
        change=change,
        value=found.value,
        median=found.median,
        minute=minute,
    )


def _figure(value: float) -> str:
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
