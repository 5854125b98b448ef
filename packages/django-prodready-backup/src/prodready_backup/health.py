"""Health check: each target's newest verified backup is recent enough."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from prodready import HealthCheck, HealthCheckError
from prodready_backup.conf import conf


class BackupAgeCheck(HealthCheck):
    """The newest verified backup of ``target`` is younger than the configured hours."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.name = f"backup:{target}"
        self.critical = conf.BACKUP_HEALTH_CRITICAL

    def check(self) -> str | None:
        from prodready_backup.models import BackupRecord

        newest = (
            BackupRecord.objects.filter(
                target=self.target,
                status=BackupRecord.Status.SUCCEEDED,
                verified_ok=True,
                pruned_at__isnull=True,
            )
            .order_by("-started_at")
            .first()
        )
        limit = conf.BACKUP_HEALTH_MAX_AGE_HOURS
        if newest is None:
            raise HealthCheckError("no verified backup yet")
        age = timezone.now() - newest.started_at
        hours = age / timedelta(hours=1)
        if hours > limit:
            raise HealthCheckError(
                f"newest verified backup is {hours:.0f} h old, over the limit of {limit:g} h "
                "(PRODREADY_BACKUP_HEALTH_MAX_AGE_HOURS)"
            )
        return f"newest verified backup is {hours:.1f} h old"
