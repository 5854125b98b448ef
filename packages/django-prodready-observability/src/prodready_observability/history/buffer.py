"""One process's history not yet in the database: what a request or a query adds to.

Everything here is a sum in memory under one lock; :func:`take` hands it all to the
flush and starts afresh. Bounded: at most ``PRODREADY_ANALYTICS_MAX_ROUTES`` routes per
minute (the others count as ``<other>``), ``MAX_SLOW_REQUESTS`` slow requests and
``MAX_GROUPS`` query and exception groups between two flushes. Cache reads are not
added here: :func:`take` reads them from the cache counters (``metrics.cache_minutes``).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from prodready_observability.analytics.store import BOUNDS, OTHER
from prodready_observability.metrics import cache_minutes

MAX_SLOW_REQUESTS = 200
MAX_GROUPS = 500
MAX_USERS = 1000


# (at, route, method, status, duration ms, user id, request id)
SlowRequestEntry = tuple[float, str, str, int, float, str, str]


@dataclass
class Batch:
    # minute -> route -> [requests, errors, total µs, *requests per latency bucket]
    routes: dict[int, dict[str, list[int]]] = field(default_factory=dict)
    slow_requests: list[SlowRequestEntry] = field(default_factory=list)
    users: dict[tuple[int, str], int] = field(default_factory=dict)  # (hour, user id) -> requests
    # (hour, fingerprint) -> sql, alias, location, count, total_ms, slowest_ms, last
    queries: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    # (hour, fingerprint) -> exception, location, route, count, first, last, request_id
    exceptions: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    # (hour, cache alias) -> [hits, misses]; filled by take() from the cache counters
    cache_reads: dict[tuple[int, str], list[int]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(
            self.routes
            or self.slow_requests
            or self.users
            or self.queries
            or self.exceptions
            or self.cache_reads
        )


_lock = threading.Lock()
_batch = Batch()
ROW_SIZE = 3 + len(BOUNDS)


def add_request(
    now: float,
    route: str,
    status: int,
    duration: float,
    bucket: int,
    user_id: str | None,
    max_routes: int,
) -> None:
    minute = int(now // 60)
    with _lock:
        routes = _batch.routes.get(minute)
        if routes is None:
            routes = _batch.routes[minute] = {}
        row = routes.get(route)
        if row is None:
            if len(routes) >= max_routes:
                route = OTHER
            row = routes.get(route)
            if row is None:
                row = routes[route] = [0] * ROW_SIZE
        row[0] += 1
        if status >= 500:
            row[1] += 1
        row[2] += int(duration * 1_000_000)
        row[3 + bucket] += 1
        if user_id is not None:
            key = (minute // 60, user_id)
            if key in _batch.users or len(_batch.users) < MAX_USERS:
                _batch.users[key] = _batch.users.get(key, 0) + 1


def add_slow_request(entry: SlowRequestEntry) -> None:
    with _lock:
        if len(_batch.slow_requests) < MAX_SLOW_REQUESTS:
            _batch.slow_requests.append(entry)


def add_query(
    now: float, fingerprint: str, sql: str, alias: str, location: str, duration_ms: float
) -> None:
    new = {"sql": sql, "alias": alias, "location": location, "total_ms": 0.0, "slowest_ms": 0.0}
    with _lock:
        group = _group(_batch.queries, (int(now // 3600), fingerprint), new)
        if group is None:
            return
        group["count"] += 1
        group["total_ms"] += duration_ms
        group["slowest_ms"] = max(group["slowest_ms"], duration_ms)
        group["last"] = now


def add_exception(
    now: float, fingerprint: str, exception: str, location: str, route: str, request_id: str
) -> None:
    new = {"exception": exception, "location": location, "route": route, "first": now}
    with _lock:
        group = _group(_batch.exceptions, (int(now // 3600), fingerprint), new)
        if group is None:
            return
        group["count"] += 1
        group["last"] = now
        group["request_id"] = request_id


def _group(
    groups: dict[tuple[int, str], dict[str, Any]], key: tuple[int, str], new: dict[str, Any]
) -> dict[str, Any] | None:
    """The hour's group of ``key`` (made from ``new`` if there is room); under ``_lock``."""
    group = groups.get(key)
    if group is None:
        if len(groups) >= MAX_GROUPS:
            return None
        group = groups[key] = {**new, "count": 0}
    return group


def take(now: float | None = None) -> Batch:
    """Everything added since the last call, with the cache reads counted since then (in
    the hour of ``now``); the buffer starts empty again."""
    global _batch
    with _lock:
        batch, _batch = _batch, Batch()
    hour = int((time.time() if now is None else now) // 3600)
    for (alias, result), count in cache_minutes.for_history.take().items():
        batch.cache_reads.setdefault((hour, alias), [0, 0])[result == "miss"] += count
    return batch
