"""The history's settings, read once and kept until one of them changes.

Read on every request and every query: reading an unset Django setting costs an
AttributeError each time. ``override_settings`` (any ``setting_changed``) of one of them
reads them again.
"""

from __future__ import annotations

from dataclasses import dataclass

from prodready.conf import derived_from
from prodready_observability.conf import conf


@dataclass(frozen=True)
class Options:
    history: bool
    slow_request_ms: float
    slow_query_s: float | None  # None: no slow query is kept
    query_sample_rate: float
    metrics_database: bool
    max_routes: int


@derived_from(
    "PRODREADY_ANALYTICS_HISTORY",
    "PRODREADY_ANALYTICS_SLOW_REQUEST_MS",
    "PRODREADY_ANALYTICS_SLOW_QUERY_MS",
    "PRODREADY_ANALYTICS_QUERY_SAMPLE_RATE",
    "PRODREADY_METRICS_DATABASE",
    "PRODREADY_ANALYTICS_MAX_ROUTES",
)
def options() -> Options:
    slow_query_ms = conf.ANALYTICS_SLOW_QUERY_MS
    history = conf.ANALYTICS_HISTORY
    return Options(
        history=history,
        slow_request_ms=conf.ANALYTICS_SLOW_REQUEST_MS,
        slow_query_s=None if slow_query_ms is None or not history else slow_query_ms / 1000,
        query_sample_rate=conf.ANALYTICS_QUERY_SAMPLE_RATE,
        metrics_database=conf.METRICS_DATABASE,
        max_routes=conf.ANALYTICS_MAX_ROUTES,
    )
