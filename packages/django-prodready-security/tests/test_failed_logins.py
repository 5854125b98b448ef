"""Failed logins per minute, counted from Django's signal, as a series for anomaly alerts."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.contrib.auth import authenticate
from django.core.cache import caches

from prodready import hooks
from prodready.anomalies.detect import detect
from prodready_security import failed_logins

MINUTE = 31_000_000  # far from the real clock


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.mark.django_db
def test_a_failed_login_is_counted_in_its_minute() -> None:
    now = int(time.time() // 60)
    for _ in range(3):
        assert authenticate(username="nobody", password="wrong") is None
    counted = dict(failed_logins.points(now - 1, now + 2))
    # Three failures, unless the minute turned between them.
    assert sum(counted.values()) == 3
    assert counted[now - 1] == 0


def test_a_burst_of_failed_logins_is_an_anomaly(notifications) -> None:
    assert "security.failed_logins" in [series.name for series in hooks.time_series()]
    for minute in range(MINUTE, MINUTE + 63):
        for _ in range(60 if minute >= MINUTE + 60 else minute % 3):  # 0-2, then 60 a minute
            failed_logins.count(now=minute * 60 + 1)
        detect((minute + 1) * 60 + 5)
    (started,) = notifications
    assert started.subject == "Anomaly: Failed logins"
    assert "Failed logins was 60 logins/min" in started.message
