"""Minutes added up into hours, hours into days.

Recomputed, not added to: each run replaces the hours of the last ``HOURS_BACK`` hours
with the sums of their minutes, and the days of the last ``DAYS_BACK`` days with the sums
of their hours, so running it twice, or in two processes at once, gives the same rows.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from prodready_observability.history.flush import add_buckets, database
from prodready_observability.history.models import RouteStat

HOURS_BACK = 2
DAYS_BACK = 2
Resolution = RouteStat.Resolution


def rollup(now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    hour = now.replace(minute=0, second=0, microsecond=0)
    day = hour.replace(hour=0)
    _recompute(
        Resolution.HOUR, Resolution.MINUTE, hour - dt.timedelta(hours=HOURS_BACK - 1), "hour"
    )
    _recompute(Resolution.DAY, Resolution.HOUR, day - dt.timedelta(days=DAYS_BACK - 1), "day")


def _truncate(start: dt.datetime, unit: str) -> dt.datetime:
    start = start.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    return start.replace(hour=0) if unit == "day" else start


def _recompute(target: str, source: str, since: dt.datetime, unit: str) -> None:
    using = database()
    stats = RouteStat.objects.using(using)
    sums: dict[tuple[dt.datetime, str], RouteStat] = {}
    for row in stats.filter(resolution=source, start__gte=since):
        key = (_truncate(row.start, unit), row.route)
        total = sums.get(key)
        if total is None:
            total = sums[key] = RouteStat(
                resolution=target, start=key[0], route=row.route, buckets=""
            )
        total.requests += row.requests
        total.errors += row.errors
        total.total_us += row.total_us
        total.buckets = add_buckets(total.counts, row.counts)
    try:
        with transaction.atomic(using=using):
            stats.filter(resolution=target, start__gte=since).delete()
            stats.bulk_create(sums.values())
    except IntegrityError:
        pass  # another process recomputed the same rows at the same moment
