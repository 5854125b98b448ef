"""Periodic tasks that plugins contribute, turned into a Celery beat schedule."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from prodready import heartbeat
from prodready.anomalies import detect as anomalies
from prodready.contracts import PeriodicTask as PeriodicTask

if TYPE_CHECKING:
    from celery import Celery


def connect(app: Celery) -> None:
    """Run every plugin's periodic tasks, and the scheduler's heartbeat, on ``app``'s beat.

    Call it where the project creates its Celery app. Plugins are only known once
    Django is set up, which is not yet the case when that module is imported, so the
    schedule is merged when beat (or a worker) loads its task modules: after Celery's
    Django fix-up has set Django up, before beat builds its scheduler (``beat_init``
    comes too late for that). Entries the project defines itself win.

    Beat also publishes ``prodready.heartbeat`` every minute, and once when it starts;
    each publication stamps the time (see ``prodready.heartbeat``) so health, readiness
    and the dashboard can tell that the schedule is running. And it publishes
    ``prodready.detect_anomalies`` every minute: the anomaly detector over every plugin's
    time series (``prodready.anomalies``).
    """
    from celery.signals import after_task_publish, beat_init, import_modules

    # Workers receive the heartbeat too: they must know its name, or each one is an error.
    app.task(name=heartbeat.TASK, ignore_result=True)(_heartbeat)
    app.task(name=anomalies.TASK, ignore_result=True)(_detect_anomalies)

    def merge(sender: Any, **kwargs: Any) -> None:
        if sender is not app:
            return
        from django.apps import apps

        if not apps.ready:
            import django

            django.setup()
        app.conf.beat_schedule = full_schedule(app)

    def first_beat(sender: Any, **kwargs: Any) -> None:
        # The schedule's first heartbeat would wait for the next full minute.
        if sender.app is app:
            app.send_task(heartbeat.TASK, expires=60)

    import_modules.connect(merge, weak=False)
    beat_init.connect(first_beat, weak=False)
    after_task_publish.connect(_stamp, weak=False, dispatch_uid="prodready-heartbeat")


def _heartbeat() -> None:
    """Nothing to do: beat publishing this task is the heartbeat."""


def _detect_anomalies(now: float | None = None) -> None:
    from prodready.anomalies.detect import detect

    detect(now)


def _stamp(sender: Any = None, **kwargs: Any) -> None:
    # Sent in the process that published a task: for the heartbeat, that is beat.
    if sender == heartbeat.TASK:
        heartbeat.stamp()


def full_schedule(app: Celery | None = None) -> dict[str, dict[str, Any]]:
    """Everything beat runs once ``connect(app)`` merged it: every plugin's periodic tasks,
    the heartbeat, and the entries ``app`` defines itself (which win).

    Other processes (the dashboard's) compute the same schedule with it.
    """
    return {
        **beat_schedule(),
        heartbeat.TASK: {
            "task": heartbeat.TASK,
            "schedule": _crontab(heartbeat.CRON),
            # A heartbeat no worker took within the minute is worth nothing later.
            "options": {"expires": 60},
        },
        anomalies.TASK: {
            "task": anomalies.TASK,
            "schedule": _crontab(anomalies.CRON, anomalies.TASK),
            "options": {"expires": 60},
        },
        **((app.conf.beat_schedule or {}) if app is not None else {}),
    }


def beat_schedule() -> dict[str, dict[str, Any]]:
    """Return every plugin's periodic tasks as a Celery ``beat_schedule``."""
    from prodready import hooks

    return {
        task.name: {
            "task": task.task,
            "schedule": _crontab(task.cron, task.name),
            "kwargs": task.kwargs,
        }
        for task in hooks.periodic_tasks()
    }


def _crontab(cron: str, name: str = heartbeat.TASK) -> Any:
    from celery.schedules import crontab

    return crontab(**PeriodicTask(name, name, cron).crontab_fields())
