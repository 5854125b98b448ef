"""The last hour of Celery tasks, read back from the cache the store writes to."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.cache import caches

from prodready_observability.celery_insight import store
from prodready_observability.celery_insight.store import OTHER, OUTCOMES, PREFIX, key
from prodready_observability.conf import conf
from prodready_observability.metrics.cache_counting import uncounted

HOUR = 60


@dataclass(frozen=True)
class TaskFigures:
    """One task name over the hour, and its latest error (kept longer than the hour)."""

    name: str
    succeeded: int
    failed: int
    retried: int
    mean_ms: float | None
    latest_error: str | None = None
    latest_error_at: datetime | None = None


@dataclass(frozen=True)
class TaskHour:
    succeeded: int
    failed: int
    retried: int
    last_minute: int  # tasks finished in the last complete minute
    tasks: tuple[TaskFigures, ...]  # most failures first, then most runs

    @property
    def finished(self) -> int:
        return self.succeeded + self.failed + self.retried

    @property
    def per_minute(self) -> float:
        return self.finished / HOUR

    @property
    def failing(self) -> tuple[TaskFigures, ...]:
        return tuple(task for task in self.tasks if task.failed)


@uncounted()  # the dashboard's own figures are not the site's cache traffic
def last_hour(now: float | None = None) -> TaskHour | None:
    """None when the store is off (``PRODREADY_ANALYTICS_CACHE = None``)."""
    alias = conf.ANALYTICS_CACHE
    if alias is None:
        return None
    store.recorder.flush()  # this process's latest counts too
    cache = caches[alias]
    current = int((time.time() if now is None else now) // 60)
    minutes = range(current - HOUR + 1, current + 1)
    found = cache.get_many(
        [key(minute, name) for minute in minutes for name in (*OUTCOMES, "writers")]
    )

    def total(name: str, among: range = minutes) -> int:
        return sum(int(found.get(key(minute, name)) or 0) for minute in among)

    slots = [
        key(minute, f"names:{slot}")
        for minute in minutes
        for slot in range(1, int(found.get(key(minute, "writers")) or 0) + 1)
    ]
    seen: dict[str, set[int]] = {}
    for list_key, names in cache.get_many(slots).items():
        minute = int(list_key.removeprefix(f"{PREFIX}:").split(":", 1)[0])
        for name in names:
            seen.setdefault(name, set()).add(minute)
    return TaskHour(
        succeeded=total("success"),
        failed=total("failure"),
        retried=total("retry"),
        last_minute=sum(total(outcome, range(current - 1, current)) for outcome in OUTCOMES),
        tasks=_per_task(seen),
    )


def _per_task(seen: dict[str, set[int]]) -> tuple[TaskFigures, ...]:
    if not seen:
        return ()
    cache = caches[str(conf.ANALYTICS_CACHE)]
    fields = (*OUTCOMES, "us")
    found = cache.get_many(
        [key(m, f"t:{name}:{what}") for name, ms in seen.items() for m in ms for what in fields]
        + [key(None, f"error:{name}") for name in seen]
    )
    figures = []
    for name, minutes in seen.items():
        sums = [
            sum(int(found.get(key(m, f"t:{name}:{what}")) or 0) for m in minutes)
            for what in fields
        ]
        runs = sum(sums[:3])
        error = found.get(key(None, f"error:{name}"))
        when, text = error if isinstance(error, (list, tuple)) else (None, None)
        figures.append(
            TaskFigures(
                name=name,
                succeeded=sums[0],
                failed=sums[1],
                retried=sums[2],
                mean_ms=sums[3] / runs / 1000 if runs else None,
                latest_error=text if sums[1] else None,
                latest_error_at=datetime.fromtimestamp(when, UTC) if when and sums[1] else None,
            )
        )
    figures.sort(key=lambda task: (task.name == OTHER, -task.failed, -task.succeeded, task.name))
    return tuple(figures)
