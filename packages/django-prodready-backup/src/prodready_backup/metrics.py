"""Prometheus metrics per target: last success, its duration and size, last verification.

Collected when scraped, from the records, so every process reports the same values.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from django.db import DatabaseError

logger = logging.getLogger(__name__)

_METRICS = (
    ("prodready_backup_last_success_timestamp_seconds", "When the newest good backup started."),
    ("prodready_backup_last_success_duration_seconds", "How long the newest good backup took."),
    ("prodready_backup_last_success_size_bytes", "Stored size of the newest good backup."),
    ("prodready_backup_last_verified_timestamp_seconds", "When a backup last passed verify."),
    (
        "prodready_backup_last_restore_test_duration_seconds",
        "How long the latest passed restore test took: the time a restore needs.",
    ),
)


class BackupCollector:
    """A prometheus-client collector (duck-typed: ``collect`` and ``describe``)."""

    def describe(self) -> Iterator[Any]:
        # Describing without querying: registering the collector must not touch the database.
        yield from self._families()

    def collect(self) -> Iterator[Any]:
        from prodready_backup.models import BackupRecord

        families = self._families()
        try:
            good = BackupRecord.objects.filter(status=BackupRecord.Status.SUCCEEDED)
            latest: dict[str, BackupRecord] = {}
            for record in good.order_by("target", "-started_at"):
                latest.setdefault(record.target, record)
            verified: dict[str, float] = {}
            for target, at in good.filter(verified_ok=True).values_list("target", "verified_at"):
                if at is not None:
                    verified[target] = max(verified.get(target, 0.0), at.timestamp())
            restore_times = latest_restore_test_seconds()
        except DatabaseError:
            logger.exception("Backup metrics could not be read")
            return
        for target, record in sorted(latest.items()):
            families[0].add_metric([target], record.started_at.timestamp())
            families[1].add_metric([target], record.duration_seconds or 0.0)
            families[2].add_metric([target], float(record.stored_bytes or 0))
        for target, timestamp in sorted(verified.items()):
            families[3].add_metric([target], timestamp)
        for target, seconds in sorted(restore_times.items()):
            families[4].add_metric([target], seconds)
        yield from families

    def _families(self) -> list[Any]:
        # Brought by whoever serves /metrics (django-prodready-observability).
        from prometheus_client.core import (  # type: ignore[import-not-found,unused-ignore]
            GaugeMetricFamily,
        )

        return [GaugeMetricFamily(name, text, labels=["target"]) for name, text in _METRICS]


def latest_restore_test_seconds() -> dict[str, float]:
    """Per target, how long its latest passed restore test took."""
    from prodready_backup.models import BackupRecord

    times: dict[str, float] = {}
    tested = BackupRecord.objects.filter(verified_ok=True, restore_test_seconds__isnull=False)
    for target, seconds in tested.order_by("target", "-verified_at").values_list(
        "target", "restore_test_seconds"
    ):
        if seconds is not None:  # filtered out above; the type does not know it
            times.setdefault(target, seconds)
    return times


def collectors() -> list[BackupCollector]:
    try:
        import prometheus_client  # noqa: F401 - optional, brought by the metrics endpoint
    except ImportError:
        return []
    return [BackupCollector()]
