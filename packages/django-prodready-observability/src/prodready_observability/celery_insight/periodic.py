"""The last run of each periodic task, and whether the next one is overdue."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.cache import caches

from prodready_observability.celery_insight import store
from prodready_observability.celery_insight.store import key
from prodready_observability.conf import conf
from prodready_observability.metrics.cache_counting import uncounted

logger = logging.getLogger(__name__)

# A run finishes after it was due; beat wakes up to a few seconds late.
LATE_AFTER = timedelta(minutes=2)


@dataclass(frozen=True)
class PeriodicRun:
    name: str  # the schedule's entry
    task: str
    last_run: datetime | None
    outcome: str | None
    due: datetime | None  # when the run after the last one was due
    late: bool


@uncounted()  # the dashboard's own figures are not the site's cache traffic
def periodic_runs(app: Any | None, now: datetime | None = None) -> tuple[PeriodicRun, ...]:
    """Every entry of the schedule beat runs: the plugins', the heartbeat, the project's."""
    entries = _schedule(app)
    if not entries:
        return ()
    now = now or datetime.now(UTC)
    stored: dict[str, Any] = {}
    if conf.ANALYTICS_CACHE is not None:
        store.recorder.flush()
        tasks = {str(entry["task"]) for entry in entries.values()}
        keys = {task: key(None, f"last:{task}") for task in tasks}
        found = caches[conf.ANALYTICS_CACHE].get_many(list(keys.values()))
        stored = {task: found.get(cache_key) for task, cache_key in keys.items()}
    runs = []
    for name, entry in sorted(entries.items()):
        task = str(entry["task"])
        last = stored.get(task)
        if not isinstance(last, (list, tuple)):
            runs.append(PeriodicRun(name, task, None, None, None, False))
            continue
        last_run = datetime.fromtimestamp(last[0], UTC)
        due = _next_due(entry["schedule"], last_run, now)
        late = due is not None and now > due + LATE_AFTER
        runs.append(PeriodicRun(name, task, last_run, str(last[1]), due, late))
    return tuple(runs)


def _schedule(app: Any | None) -> dict[str, dict[str, Any]]:
    """What ``prodready.schedule.connect(app)`` gives beat, computed in this process."""
    try:
        import celery  # noqa: F401  (the schedule is made of Celery's crontabs)
    except ImportError:  # pragma: no cover - Celery is optional
        return {}
    from prodready.schedule import beat_schedule, full_schedule

    if app is None and not beat_schedule():
        return {}  # nothing would be run: the heartbeat alone is not worth a table
    return full_schedule(app)


def _next_due(schedule: Any, last_run: datetime, now: datetime) -> datetime | None:
    from celery.schedules import maybe_schedule

    try:
        remaining: timedelta = maybe_schedule(schedule).remaining_estimate(last_run)
    except Exception:
        logger.warning("Could not tell when %r is due next", schedule, exc_info=True)
        return None
    # remaining_estimate counts from the schedule's now, which is this moment.
    return datetime.now(UTC) + remaining
