"""The request analytics store as time series, scored by core's anomaly detector."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import caches
from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings
from django.utils import timezone

from prodready import hooks
from prodready.anomalies.detect import detect
from prodready_observability.analytics import series
from prodready_observability.analytics.store import recorder
from prodready_observability.celery_insight import store as task_store
from prodready_observability.celery_insight.cards import celery_card
from prodready_observability.celery_insight.series import celery_failure_series, failures

MINUTE = 31_000_000  # a minute number far from the real clock
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    with override_settings(CACHES=LOCMEM):
        recorder.flush()
        task_store.recorder.flush()
        caches["default"].clear()
        yield
        recorder.flush()
        task_store.recorder.flush()
        caches["default"].clear()


def traffic(minute: int, requests: int, errors: int, seconds: float = 0.05) -> None:
    for number in range(requests):
        status = 500 if number < errors else 200
        recorder.record("lessons/", status, seconds, now=minute * 60 + 1)
    recorder.flush()


def test_the_store_reads_back_as_per_minute_series() -> None:
    traffic(MINUTE, 40, 2)
    traffic(MINUTE + 1, 10, 0, seconds=0.3)
    traffic(MINUTE + 3, 5, 0)
    # Before the first request: no data; after it, an empty minute counts zero.
    assert list(series.request_rate(MINUTE - 1, MINUTE + 4)) == [
        (MINUTE, 40.0),
        (MINUTE + 1, 10.0),
        (MINUTE + 2, 0.0),
        (MINUTE + 3, 5.0),
    ]
    # The error rate spans two minutes: (2 + 0) / (40 + 10).
    assert list(series.error_rate(MINUTE, MINUTE + 3)) == [
        (MINUTE, 5.0),
        (MINUTE + 1, 4.0),
    ]
    # 10 requests alone are too few for a p95.
    assert list(series.p95_latency(MINUTE, MINUTE + 2)) == [(MINUTE, 50.0)]
    names = [s.name for s in hooks.time_series() if s.name.startswith("observability.")]
    assert names == [
        "observability.request_rate",
        "observability.error_rate",
        "observability.p95_latency",
        "observability.celery_failures",
    ]


@override_settings(PRODREADY_ANALYTICS_CACHE=None)
def test_no_series_without_the_store() -> None:
    assert series.request_series() == []


def test_a_jump_in_server_errors_is_notified_and_flags_the_requests_card(
    notifications,
) -> None:
    for minute in range(MINUTE, MINUTE + 60):
        traffic(minute, 100, 1 + minute % 2)  # 1 or 2 errors in 100
        detect((minute + 1) * 60 + 5)
    assert notifications == []
    for minute in range(MINUTE + 60, MINUTE + 63):
        traffic(minute, 100, 15)
        detect((minute + 1) * 60 + 5)
    (started,) = notifications
    assert started.subject == "Anomaly: Error rate"
    assert started.data["series"] == "observability.error_rate"
    assert started.source == "prodready.anomalies"

    [card] = [c for c in hooks.dashboard_cards(RequestFactory().get("/")) if c.order == 20]
    assert [flag.label for flag in card.context["anomaly_flags"]] == ["Error rate"]
    assert card.status == "warning"
    # The episode started at the second anomalous minute: MINUTE + 61 is 19:41 UTC.
    with timezone.override("UTC"):
        html = render_to_string(card.template, card.context)
    assert "Error rate: unusual since 19:41" in html


def tasks(minute: int, succeeded: int, failed: int) -> None:
    for number in range(succeeded + failed):
        outcome = "failure" if number < failed else "success"
        task_store.recorder.record("school.send_reminder", outcome, 0.2, now=minute * 60 + 1)
    task_store.recorder.flush()


def test_failed_celery_tasks_read_back_per_minute() -> None:
    tasks(MINUTE, 5, 2)
    tasks(MINUTE + 2, 1, 0)
    assert list(failures(MINUTE, MINUTE + 3)) == [
        (MINUTE, 2.0),
        (MINUTE + 1, 0.0),
        (MINUTE + 2, 0.0),
    ]


@override_settings(PRODREADY_ANALYTICS_CACHE=None)
def test_no_celery_series_without_the_store() -> None:
    assert celery_failure_series() == []


def test_a_burst_of_celery_failures_is_notified_and_flags_the_celery_card(
    notifications,
) -> None:
    for minute in range(MINUTE, MINUTE + 60):
        tasks(minute, 30, minute % 3)  # 0 to 2 failures a minute
        detect((minute + 1) * 60 + 5)
    assert notifications == []
    card = celery_card()
    assert card is not None
    assert card.context["anomaly_flags"] == []
    assert "unusual since" not in render_to_string(card.template, card.context)

    for minute in range(MINUTE + 60, MINUTE + 62):
        tasks(minute, 30, 20)
        detect((minute + 1) * 60 + 5)
    (started,) = notifications
    assert started.subject == "Anomaly: Failed Celery tasks"
    assert started.data["series"] == "observability.celery_failures"
    card = celery_card()
    assert card is not None
    assert card.status == "warning"
    with timezone.override("UTC"):
        html = render_to_string(card.template, card.context)
    assert "Failed Celery tasks: unusual since 19:41" in html
