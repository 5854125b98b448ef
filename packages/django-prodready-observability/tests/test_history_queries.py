"""Slow queries through the execute wrapper: threshold, sampling, scrubbing, the caller;
and the per-alias query metrics. On a real PostgreSQL (``pg_sleep``)."""

from __future__ import annotations

import pytest
from django.db import connections
from django.test import Client, override_settings

from prodready_observability.history import buffer
from prodready_observability.history.maintenance import maintain
from prodready_observability.history.models import SlowQuery
from prodready_observability.metrics.definitions import DB_QUERIES
from tests.history_support import ON_POSTGRES
from tests.site import SETTINGS

pytestmark = ON_POSTGRES


def run(sql: str) -> None:
    with connections["postgres"].cursor() as cursor:
        cursor.execute(sql)


@override_settings(PRODREADY_ANALYTICS_SLOW_QUERY_MS=20)
def test_a_query_over_the_threshold_is_kept_scrubbed_with_its_caller() -> None:
    run("SELECT pg_sleep(0.03), 'alice@example.com', 4242")
    run("SELECT pg_sleep(0.03), 'bob@example.com', 17")  # the same statement
    run("SELECT 'fast', 1")  # under the threshold
    maintain()

    query = SlowQuery.objects.get()
    assert query.sql == "SELECT pg_sleep(?), ?, ?"
    assert query.count == 2
    assert query.slowest_ms >= 30
    assert query.location.startswith("tests/test_history_queries.py:")
    assert query.location.endswith(" in run")
    assert query.alias == "postgres"


@override_settings(PRODREADY_ANALYTICS_SLOW_QUERY_MS=20, **SETTINGS)
def test_a_view_s_slow_query_is_placed_in_the_view() -> None:
    assert Client().get("/slow-query/").status_code == 200
    maintain()
    assert SlowQuery.objects.get().location.startswith("tests/site.py:")


@pytest.mark.parametrize(
    ("settings", "kept"),
    [
        (
            {
                "PRODREADY_ANALYTICS_SLOW_QUERY_MS": 20,
                "PRODREADY_ANALYTICS_QUERY_SAMPLE_RATE": 0.0,
            },
            0,
        ),
        (
            {
                "PRODREADY_ANALYTICS_SLOW_QUERY_MS": 20,
                "PRODREADY_ANALYTICS_QUERY_SAMPLE_RATE": 1.0,
            },
            1,
        ),
        ({"PRODREADY_ANALYTICS_SLOW_QUERY_MS": 500}, 0),
        ({"PRODREADY_ANALYTICS_SLOW_QUERY_MS": None}, 0),
        ({"PRODREADY_ANALYTICS_SLOW_QUERY_MS": 20, "PRODREADY_ANALYTICS_HISTORY": False}, 0),
    ],
)
def test_threshold_and_sample_rate(settings: dict[str, object], kept: int) -> None:
    with override_settings(**settings):
        run("SELECT pg_sleep(0.03)")
    assert sum(group["count"] for group in buffer.take().queries.values()) == kept


def test_every_query_is_counted_per_alias() -> None:
    counter = DB_QUERIES.labels("postgres")
    before = counter._value.get()
    for _ in range(3):
        run("SELECT 1")
    assert counter._value.get() - before == 3
    with override_settings(PRODREADY_METRICS_DATABASE=False):
        run("SELECT 1")
    assert counter._value.get() - before == 3


@override_settings(PRODREADY_ANALYTICS_SLOW_QUERY_MS=0.001)
def test_the_history_s_own_writes_are_not_slow_queries() -> None:
    buffer.add_request(0, "r/", 200, 0.001, 0, None, 50)
    maintain()
    assert not buffer.take().queries
