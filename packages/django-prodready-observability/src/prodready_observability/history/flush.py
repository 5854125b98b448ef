"""Writing a process's batch (:mod:`.buffer`) into the database.

Every row is a sum over a bucket of time that several processes add to, so each is
read under ``SELECT ... FOR UPDATE``, added to and saved, or created when it is new.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from django.db import IntegrityError, models, router, transaction

from prodready_observability.history.buffer import Batch
from prodready_observability.history.models import (
    CacheStat,
    ExceptionGroup,
    RouteStat,
    SlowQuery,
    SlowRequest,
    UserActivity,
)

M = TypeVar("M", bound=models.Model)


def database() -> str:
    return router.db_for_write(RouteStat)


def at(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def write(batch: Batch) -> None:
    using = database()
    for minute, routes in batch.routes.items():
        start = at(minute * 60)
        for route, row in routes.items():
            _add_to(
                RouteStat,
                using,
                {"resolution": RouteStat.Resolution.MINUTE, "start": start, "route": route},
                partial(_add_route, row=row),
            )
    SlowRequest.objects.using(using).bulk_create(
        SlowRequest(
            at=at(when),
            route=route,
            method=method,
            status=status,
            duration_ms=duration_ms,
            user_id=user_id,
            request_id=request_id,
        )
        for when, route, method, status, duration_ms, user_id, request_id in batch.slow_requests
    )
    for (hour, user_id), count in batch.users.items():
        _add_to(
            UserActivity,
            using,
            {"hour": at(hour * 3600), "user_id": user_id},
            partial(_add, name="requests", count=count),
        )
    for (hour, fingerprint), query in batch.queries.items():
        _add_to(
            SlowQuery,
            using,
            {"hour": at(hour * 3600), "fingerprint": fingerprint},
            partial(_add_query, query=query),
        )
    for (hour, alias), (hits, misses) in batch.cache_reads.items():
        _add_to(
            CacheStat,
            using,
            {"hour": at(hour * 3600), "alias": alias},
            partial(_add_reads, hits=hits, misses=misses),
        )
    for (hour, fingerprint), group in batch.exceptions.items():
        _add_to(
            ExceptionGroup,
            using,
            {"hour": at(hour * 3600), "fingerprint": fingerprint},
            partial(_add_exception, group=group),
        )


def _add_to(model: type[M], using: str, keys: dict[str, Any], merge: Callable[[M], None]) -> None:
    """Add to the row with ``keys``, creating it first when no process has yet."""
    manager = model._default_manager.db_manager(using)
    with transaction.atomic(using=using):
        row = manager.select_for_update().filter(**keys).first()
        if row is None:
            fresh = model(**keys)
            merge(fresh)
            try:
                with transaction.atomic(using=using):
                    fresh.save(using=using, force_insert=True)
                return
            except IntegrityError:  # another process created it just now
                row = manager.select_for_update().get(**keys)
        merge(row)
        row.save(using=using)


def _add(row: models.Model, name: str, count: int) -> None:
    setattr(row, name, (getattr(row, name) or 0) + count)


def _add_reads(row: CacheStat, hits: int, misses: int) -> None:
    row.hits += hits
    row.misses += misses


def _add_route(stat: RouteStat, row: list[int]) -> None:
    stat.requests += row[0]
    stat.errors += row[1]
    stat.total_us += row[2]
    stat.buckets = add_buckets(stat.counts, row[3:])


def add_buckets(into: list[int], more: list[int]) -> str:
    """Two latency distributions added up, bucket by bucket, as stored."""
    total = [*into, *[0] * (len(more) - len(into))]
    for index, count in enumerate(more):
        total[index] += count
    return ",".join(map(str, total))


def _add_query(row: SlowQuery, query: dict[str, Any]) -> None:
    row.sql, row.alias, row.location = query["sql"], query["alias"], query["location"]
    row.count += query["count"]
    row.total_ms += query["total_ms"]
    row.slowest_ms = max(row.slowest_ms, query["slowest_ms"])
    row.last_seen = max(row.last_seen, at(query["last"])) if row.last_seen else at(query["last"])


def _add_exception(row: ExceptionGroup, group: dict[str, Any]) -> None:
    row.exception, row.location, row.route = group["exception"], group["location"], group["route"]
    row.count += group["count"]
    first, last = at(group["first"]), at(group["last"])
    row.first_seen = min(row.first_seen, first) if row.first_seen else first
    if row.last_seen is None or last >= row.last_seen:
        row.last_seen = last
        row.latest_request_id = group["request_id"]
