"""Periodic tasks that plugins contribute, turned into a Celery beat schedule."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PeriodicTask:
    """A task to run on a cron schedule (``"minute hour day month weekday"``)."""

    name: str
    task: str
    cron: str
    kwargs: dict[str, Any] = field(default_factory=dict)

    def crontab_fields(self) -> dict[str, str]:
        parts = self.cron.split()
        if len(parts) != 5:
            raise ValueError(
                f"Periodic task {self.name!r} has cron {self.cron!r}; expected five "
                "fields: minute hour day-of-month month day-of-week."
            )
        keys = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")
        return dict(zip(keys, parts, strict=True))


def beat_schedule() -> dict[str, dict[str, Any]]:
    """Return every plugin's periodic tasks as a Celery ``beat_schedule``.

    Usage in a project's Celery module: ``app.conf.beat_schedule = beat_schedule()``.
    """
    from celery.schedules import crontab

    from prodready import hooks

    return {
        task.name: {
            "task": task.task,
            "schedule": crontab(**task.crontab_fields()),
            "kwargs": task.kwargs,
        }
        for task in hooks.periodic_tasks()
    }
