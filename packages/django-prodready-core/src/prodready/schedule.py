"""Periodic tasks that plugins contribute, turned into a Celery beat schedule."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from celery import Celery


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


def connect(app: Celery) -> None:
    """Add every plugin's periodic tasks to ``app``'s beat schedule when beat starts.

    Call it where the project creates its Celery app. Plugins are only known once
    Django is set up, which is not yet the case when that module is imported, so the
    schedule is merged when beat starts. Entries the project defines itself win.
    """
    from celery.signals import beat_init

    def merge(sender: Any, **kwargs: Any) -> None:
        if sender.app is not app:
            return
        from django.apps import apps

        if not apps.ready:
            import django

            django.setup()
        app.conf.beat_schedule = {**beat_schedule(), **(app.conf.beat_schedule or {})}

    beat_init.connect(merge, weak=False)


def beat_schedule() -> dict[str, dict[str, Any]]:
    """Return every plugin's periodic tasks as a Celery ``beat_schedule``."""
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
