"""Flush, rollup and prune of the request history, on a real PostgreSQL."""

from __future__ import annotations

import datetime as dt

from django.test import override_settings

from prodready_observability.analytics.store import BOUNDS, OTHER
from prodready_observability.history import buffer
from prodready_observability.history.flush import write
from prodready_observability.history.maintenance import maintain
from prodready_observability.history.models import (
    ExceptionGroup,
    RouteStat,
    SlowQuery,
    SlowRequest,
    UserActivity,
)
from prodready_observability.history.prune import prune
from prodready_observability.history.rollup import rollup
from tests.history_support import ON_POSTGRES

pytestmark = ON_POSTGRES

T0 = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)  # a full hour
Resolution = RouteStat.Resolution


def add(
    minutes: float, route: str, status: int = 200, bucket: int = 0, user: str | None = None
) -> None:
    buffer.add_request(T0.timestamp() + minutes * 60, route, status, 0.004, bucket, user, 50)


def stats(resolution: str) -> dict[tuple[dt.datetime, str], tuple[int, int, list[int]]]:
    return {
        (row.start, row.route): (row.requests, row.errors, row.counts)
        for row in RouteStat.objects.filter(resolution=resolution)
    }


def counts(**buckets: int) -> list[int]:
    found = [0] * len(BOUNDS)
    for index, count in buckets.items():
        found[int(index[1:])] = count
    return found


def test_two_flushes_add_up_in_the_same_minute() -> None:
    add(0, "lessons/", bucket=0)
    add(0.5, "lessons/", status=500, bucket=3)
    add(1, "rooms/")
    write(buffer.take())
    add(0.9, "lessons/", bucket=3)  # another process's, or a later flush's, same minute
    write(buffer.take())

    assert stats(Resolution.MINUTE) == {
        (T0, "lessons/"): (3, 1, counts(b0=1, b3=2)),
        (T0 + dt.timedelta(minutes=1), "rooms/"): (1, 0, counts(b0=1)),
    }
    assert RouteStat.objects.get(route="rooms/").total_us == 4000


def test_rollup_sums_minutes_into_hours_and_hours_into_days() -> None:
    for minute in (0, 59, 60, 61):
        add(minute, "lessons/", status=503 if minute == 60 else 200, bucket=minute % 2)
    write(buffer.take())
    now = T0 + dt.timedelta(hours=1, minutes=5)

    rollup(now)
    rollup(now)  # recomputed, not added again

    hour = dt.timedelta(hours=1)
    assert stats(Resolution.HOUR) == {
        (T0, "lessons/"): (2, 0, counts(b0=1, b1=1)),
        (T0 + hour, "lessons/"): (2, 1, counts(b0=1, b1=1)),
    }
    assert stats(Resolution.DAY) == {
        (T0.replace(hour=0), "lessons/"): (4, 1, counts(b0=2, b1=2)),
    }


def test_routes_past_the_limit_count_as_other() -> None:
    with override_settings(PRODREADY_ANALYTICS_MAX_ROUTES=2):
        for route in ("a/", "b/", "c/", "d/", "a/"):
            buffer.add_request(T0.timestamp(), route, 200, 0.001, 0, None, 2)
    write(buffer.take())
    found = {row.route: row.requests for row in RouteStat.objects.all()}
    assert found == {"a/": 2, "b/": 1, OTHER: 2}


def test_users_slow_requests_queries_and_exceptions_are_written() -> None:
    now = T0.timestamp()
    add(0, "lessons/", user="7")
    add(1, "lessons/", user="7")
    add(2, "rooms/", user="8")
    buffer.add_slow_request((now, "lessons/", "GET", 200, 1500.0, "7", "req-1"))
    buffer.add_query(now, "f" * 64, "SELECT ?", "default", "school/views.py:3 in index", 120.0)
    buffer.add_query(now + 5, "f" * 64, "SELECT ?", "default", "school/views.py:3 in index", 300.0)
    buffer.add_exception(now, "e" * 64, "builtins.KeyError", "school/views.py:9 in f", "x/", "r1")
    buffer.add_exception(
        now + 9, "e" * 64, "builtins.KeyError", "school/views.py:9 in f", "x/", "r2"
    )
    write(buffer.take())

    assert dict(UserActivity.objects.values_list("user_id", "requests")) == {"7": 2, "8": 1}
    slow = SlowRequest.objects.get()
    assert (slow.route, slow.user_id, slow.duration_ms, slow.request_id) == (
        "lessons/",
        "7",
        1500.0,
        "req-1",
    )
    query = SlowQuery.objects.get()
    assert (query.count, query.total_ms, query.slowest_ms, query.hour) == (2, 420.0, 300.0, T0)
    group = ExceptionGroup.objects.get()
    assert (group.count, group.latest_request_id) == (2, "r2")
    assert group.last_seen - group.first_seen == dt.timedelta(seconds=9)


@override_settings(PRODREADY_ANALYTICS_KEEP_DAYS=3)
def test_prune_keeps_days_and_at_most_two_days_of_minutes() -> None:
    now = T0
    for age_days in (1, 2.5, 4):
        when = (now - dt.timedelta(days=age_days)).timestamp()
        buffer.add_request(when, "r/", 200, 0.001, 0, "7", 50)
        buffer.add_slow_request((when, "r/", "GET", 200, 2000.0, "", ""))
    write(buffer.take())
    for resolution in (Resolution.HOUR, Resolution.DAY):
        for age_days in (1, 4):
            RouteStat.objects.create(
                resolution=resolution, start=now - dt.timedelta(days=age_days), route="r/"
            )

    deleted = prune(now)

    minute_ages = sorted(
        (now - start).days
        for start in RouteStat.objects.filter(resolution="m").values_list("start", flat=True)
    )
    assert minute_ages == [1]  # 2.5 days is past the two days of minutes
    for resolution in (Resolution.HOUR, Resolution.DAY):
        assert [
            (now - row.start).days for row in RouteStat.objects.filter(resolution=resolution)
        ] == [1]
    assert SlowRequest.objects.count() == 2  # 1 and 2.5 days old; 4 is past 3 days
    assert UserActivity.objects.count() == 2
    assert deleted == 2 + 2 + 1 + 1  # minutes, hours and days, slow request, user hour


def test_maintain_writes_and_says_so() -> None:
    add(0, "lessons/")
    assert maintain(prune=True)
    assert RouteStat.objects.filter(resolution="m").count() == 1


def test_the_background_thread_writes_off_the_request_path() -> None:
    import time

    from prodready_observability.history import flusher

    flusher.stop()
    try:
        with override_settings(PRODREADY_ANALYTICS_FLUSH_SECONDS=0.2):
            flusher.ensure_started()
            add(0, "lessons/")
            deadline = time.monotonic() + 20
            while not RouteStat.objects.filter(resolution="m").exists():
                assert time.monotonic() < deadline, "the thread wrote nothing in 20 seconds"
                time.sleep(0.1)
    finally:
        flusher.stop()
    assert RouteStat.objects.get(resolution="m").requests == 1
