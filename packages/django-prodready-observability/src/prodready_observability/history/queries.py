"""Every database query through Django's ``execute_wrapper``: counted and timed per
alias for Prometheus, and, when slow, kept in the history.

:func:`install` adds :func:`observe` to each connection as it connects. The cost of an
ordinary query is two clock reads and two metric updates; only a slow query that the
sample rate picks is normalised and traced back to the project's code.
"""

from __future__ import annotations

import hashlib
import random
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

from prodready_observability.history import buffer
from prodready_observability.history.location import caller
from prodready_observability.history.normalise import normalise
from prodready_observability.history.options import options
from prodready_observability.metrics.definitions import DB_QUERIES, DB_QUERY_DURATION

_children: dict[str, tuple[Any, Any]] = {}
# Set while the history itself is written: its own queries are not slow queries.
_quiet = threading.local()


def observe(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        elapsed = time.perf_counter() - started
        current = options()
        if current.metrics_database:
            alias = context["connection"].alias
            children = _children.get(alias)
            if children is None:
                children = _children[alias] = (
                    DB_QUERIES.labels(alias),
                    DB_QUERY_DURATION.labels(alias),
                )
            children[0].inc()
            children[1].observe(elapsed)
        threshold = current.slow_query_s
        if threshold is not None and elapsed >= threshold:
            rate = current.query_sample_rate
            if (rate >= 1.0 or random.random() < rate) and not getattr(_quiet, "on", False):
                _keep(sql, context["connection"].alias, elapsed)


def _keep(sql: str, alias: str, elapsed: float) -> None:
    text = normalise(str(sql))
    location = caller(sys._getframe(2))
    fingerprint = hashlib.sha256(f"{alias}\0{text}\0{location}".encode()).hexdigest()
    buffer.add_query(time.time(), fingerprint, text, alias, location, elapsed * 1000)


class quiet:
    """Within it, this thread's queries are not kept as slow queries."""

    def __enter__(self) -> None:
        _quiet.on = True

    def __exit__(self, *exc_info: object) -> None:
        _quiet.on = False


def add_to(connection: BaseDatabaseWrapper) -> None:
    """Wrap ``connection``'s queries, unless there is nothing to count or keep."""
    current = options()
    wanted = current.metrics_database or current.slow_query_s is not None
    if wanted and observe not in connection.execute_wrappers:
        connection.execute_wrappers.append(observe)


def _connected(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    add_to(connection)


def install() -> None:
    """From ``AppConfig.ready()``: every connection, those already open and those to come."""
    from django.db import connections

    connection_created.connect(_connected, dispatch_uid="prodready_observability.queries")
    for connection in connections.all(initialized_only=True):
        add_to(connection)
