"""Each target's backup duration and size, run by run, for the anomaly detector.

A per-run series: one point at the minute each successful backup finished. The
detector compares a run with the median of the runs of the 30 days before it, so a
backup that suddenly takes much longer, or shrinks or grows a lot, is notified once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext

from prodready import TimeSeries
from prodready_backup.models import BackupRecord

WINDOW_MINUTES = 30 * 24 * 60
# Smaller changes than these are the normal drift of a growing site.
DURATION_MIN_CHANGE = 60.0  # seconds
SIZE_MIN_CHANGE = 10.0  # MiB
MIB = 1024 * 1024


def backup_series() -> list[TimeSeries]:
    since = timezone.now() - timedelta(minutes=WINDOW_MINUTES)
    targets = sorted(
        set(
            BackupRecord.objects.filter(
                status=BackupRecord.Status.SUCCEEDED, finished_at__gte=since
            ).values_list("target", flat=True)
        )
    )
    found = []
    for target in targets:
        found += [
            TimeSeries(
                name=f"backup.duration:{target}",
                label=gettext("Backup duration of %(target)s") % {"target": target},
                unit="s",
                points=_reader(target, "duration_seconds", 1.0),
                min_change=DURATION_MIN_CHANGE,
                window_minutes=WINDOW_MINUTES,
                confirm=1,
                calm=1,
            ),
            TimeSeries(
                name=f"backup.size:{target}",
                label=gettext("Backup size of %(target)s") % {"target": target},
                unit="MiB",
                points=_reader(target, "source_bytes", MIB),
                min_change=SIZE_MIN_CHANGE,
                window_minutes=WINDOW_MINUTES,
                direction="both",
                confirm=1,
                calm=1,
            ),
        ]
    return found


def _reader(
    target: str, field: str, per_unit: float
) -> Callable[[int, int], Iterable[tuple[int, float]]]:
    def points(start: int, end: int) -> Iterable[tuple[int, float]]:
        runs = BackupRecord.objects.filter(
            target=target,
            status=BackupRecord.Status.SUCCEEDED,
            finished_at__gte=_at(start),
            finished_at__lt=_at(end),
            **{f"{field}__isnull": False},
        ).values_list("finished_at", field)
        # Two runs in one minute: the later one stands for it.
        return sorted({int(at.timestamp() // 60): value / per_unit for at, value in runs}.items())

    return points


def _at(minute: int) -> datetime:
    return datetime.fromtimestamp(minute * 60, tz=UTC)
