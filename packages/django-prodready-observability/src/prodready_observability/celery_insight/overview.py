"""Everything the Celery card and page show, read in one place: ``celery_overview()``."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from prodready.heartbeat import SchedulerStatus, scheduler_status
from prodready_observability.celery_insight.broker import PING_SECONDS, BrokerView, broker_view
from prodready_observability.celery_insight.hour import TaskHour, last_hour
from prodready_observability.celery_insight.periodic import PeriodicRun, periodic_runs

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CeleryOverview:
    """``configured``: ``PRODREADY_HEALTH_CELERY_APP`` is set; ``app_problem`` says why that
    app cannot be used; ``broker`` is None without an app or when tasks run in the web
    process (eager); ``tasks`` is None when the counts are off."""

    configured: bool
    app_problem: str | None
    broker: BrokerView | None
    tasks: TaskHour | None
    periodic: tuple[PeriodicRun, ...]
    scheduler: SchedulerStatus
    ping_seconds: float = PING_SECONDS

    @property
    def late(self) -> tuple[PeriodicRun, ...]:
        return tuple(run for run in self.periodic if run.late)

    @property
    def status(self) -> str:
        if self.app_problem or (
            self.broker is not None and (self.broker.problem or not self.broker.workers)
        ):
            return "error"
        if self.tasks is not None and self.tasks.failed:
            return "warning"
        if self.late or (self.periodic and not self.scheduler.running):
            return "warning"
        return "ok" if self.configured else "info"


def celery_overview() -> CeleryOverview:
    app, problem = celery_app()
    broker = None
    if app is not None and not app.conf.task_always_eager:
        broker = broker_view(app)
    try:
        tasks = last_hour()
    except Exception:
        logger.exception("The Celery task counts could not be read")
        tasks = None
    return CeleryOverview(
        configured=app is not None or problem is not None,
        app_problem=problem,
        broker=broker,
        tasks=tasks,
        periodic=periodic_runs(app),
        scheduler=scheduler_status(),
    )


def celery_app() -> tuple[Any | None, str | None]:
    """The app of ``PRODREADY_HEALTH_CELERY_APP``, or why there is none."""
    from prodready.conf import conf as core_conf
    from prodready.health.base import HealthCheckError
    from prodready.health.checks.celery import load_celery_app

    path = core_conf.HEALTH_CELERY_APP
    if not path:
        return None, None
    try:
        return load_celery_app(path), None
    except HealthCheckError as exc:
        return None, str(exc)
