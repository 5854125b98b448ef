"""The scheduler: Celery beat's heartbeat is recent, so periodic tasks are being run."""

from __future__ import annotations

from prodready.health.base import HealthCheck, HealthCheckError
from prodready.heartbeat import scheduler_status


class SchedulerCheck(HealthCheck):
    """Not critical: pages are served without beat; backups and cleanups wait."""

    name = "scheduler"
    critical = False

    def check(self) -> str | None:
        status = scheduler_status()
        if not status.running:
            raise HealthCheckError(status.message)
        return status.message
