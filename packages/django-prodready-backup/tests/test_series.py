"""Each target's backup duration and size, run by run, as series for anomaly alerts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from prodready import hooks
from prodready.anomalies.detect import detect
from prodready_backup import series
from prodready_backup.models import BackupRecord

pytestmark = pytest.mark.django_db
DAY = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)


def minute(at: datetime) -> int:
    return int(at.timestamp() // 60)


def run(day: int, seconds: float, size_mib: float, status: str = "succeeded") -> datetime:
    finished = DAY + timedelta(days=day, seconds=seconds)
    BackupRecord.objects.create(
        backup_id=f"run-{day}-{status}",
        target="db-default",
        status=status,
        started_at=DAY + timedelta(days=day),
        finished_at=finished,
        duration_seconds=seconds,
        source_bytes=int(size_mib * series.MIB),
    )
    return finished


def test_each_successful_run_is_one_point() -> None:
    first = run(0, 100, 50)
    second = run(1, 110, 51)
    run(2, 5, 0, status="failed")
    reader = series._reader("db-default", "source_bytes", series.MIB)
    assert list(reader(minute(DAY), minute(DAY + timedelta(days=3)))) == [
        (minute(first), 50.0),
        (minute(second), 51.0),
    ]


def test_a_backup_that_takes_far_longer_is_an_anomaly(notifications, monkeypatch) -> None:
    for day in range(12):
        run(day, 100 + day % 3, 50 + day / 10)
    slow = run(12, 900, 51.3)
    # As if on the day of the slow run: the series lists the targets with a recent run.
    monkeypatch.setattr(series.timezone, "now", lambda: slow)
    names = [s.name for s in hooks.time_series() if s.name.startswith("backup.")]
    assert names == ["backup.duration:db-default", "backup.size:db-default"]
    outcomes = {o.series: o for o in detect(slow.timestamp() + 60)}
    assert outcomes["backup.duration:db-default"].change == "started"
    assert outcomes["backup.size:db-default"].change is None
    (started,) = notifications
    assert started.subject == "Anomaly: Backup duration of db-default"


def card_html() -> str:
    (card,) = [c for c in hooks.dashboard_cards(RequestFactory().get("/")) if c.order == 20]
    with timezone.override("UTC"):
        return render_to_string(card.template, card.context)


def test_the_backups_card_flags_a_series_while_it_is_anomalous(monkeypatch) -> None:
    for day in range(12):
        run(day, 100 + day % 3, 50 + day / 10)
    usual = run(12, 101, 51.3)
    monkeypatch.setattr(series.timezone, "now", lambda: usual)
    detect(usual.timestamp() + 60)
    assert "unusual since" not in card_html()

    slow = run(13, 900, 51.4)
    monkeypatch.setattr(series.timezone, "now", lambda: slow)
    detect(slow.timestamp() + 60)
    html = card_html()
    # The run finished at 03:15 UTC; the size did not change.
    assert "Backup duration of db-default: unusual since 03:15" in html
    assert "Backup size of db-default: unusual" not in html
