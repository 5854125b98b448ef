"""The dashboard card: the latest backup of every target, the next run, "back up now"."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext

from prodready import DashboardCard, anomalies
from prodready_backup.conf import conf
from prodready_backup.metrics import latest_restore_test_seconds
from prodready_backup.views import RUN_PERMISSION


def backup_card(request: HttpRequest) -> DashboardCard:
    from prodready.heartbeat import scheduler_status
    from prodready_backup.models import BackupRecord
    from prodready_backup.series import backup_series
    from prodready_backup.targets import all_targets

    rows: list[dict[str, Any]] = []
    status: Literal["ok", "warning", "error"] = "ok"
    restore_times = latest_restore_test_seconds()
    for target in all_targets():
        latest = BackupRecord.objects.filter(target=target.name).order_by("-started_at").first()
        rows.append(
            {
                "target": target.name,
                "record": latest,
                "restore_seconds": restore_times.get(target.name),
            }
        )
        if latest is None or latest.status == BackupRecord.Status.FAILED:
            status = "error" if latest else "warning"
    action: str | None
    history: str | None
    try:
        action, history = reverse("prodready_backup:back-up-now"), reverse("prodready_backup:list")
    except NoReverseMatch:  # the project did not mount prodready_backup.urls
        action = history = None
    # The anomaly detector's verdict on each target's duration and size (prodready.anomalies).
    flags = anomalies.flags({series.name: series.label for series in backup_series()})
    if flags and status == "ok":
        status = "warning"
    scheduler = scheduler_status()
    if conf.BACKUP_SCHEDULE and not scheduler.running and status == "ok":
        status = "warning"  # the latest backups are fine, but no more will come
    user = getattr(request, "user", None)
    if user is None or not user.has_perm(RUN_PERMISSION):
        action = None  # the button would only answer 403
    return DashboardCard(
        title=gettext("Backups"),
        template="prodready_backup/dashboard_card.html",
        context={
            "rows": rows,
            # A next run is only shown while Celery beat's heartbeat says it will happen.
            "next_run": next_scheduled_backup() if scheduler.running else None,
            "scheduler": scheduler if conf.BACKUP_SCHEDULE else None,
            "action": action,
            "history": history,
            "anomaly_flags": flags,
        },
        status=status,
        order=20,
    )


def next_scheduled_backup() -> datetime | None:
    """When the schedule runs the next backup: the one place the card asks, so that it
    can say nothing when nothing would run it (None hides the line)."""
    return next_run(conf.BACKUP_SCHEDULE)


def next_run(cron: str) -> datetime | None:
    """When the cron expression fires next (needs Celery's crontab; None without it)."""
    if not cron:
        return None
    try:
        from celery.schedules import crontab
    except ImportError:  # pragma: no cover - Celery is optional
        return None
    minute, hour, day, month, weekday = cron.split()
    schedule = crontab(
        minute=minute, hour=hour, day_of_month=day, month_of_year=month, day_of_week=weekday
    )
    now = timezone.now()
    remaining = schedule.remaining_estimate(now)
    result: datetime = now + remaining
    return result
