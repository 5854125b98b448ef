"""The history read back for the operations pages and cards, over a range of time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Max, Sum

from prodready_observability.history.models import (
    CacheStat,
    ExceptionGroup,
    SlowQuery,
    SlowRequest,
    UserActivity,
)

LIMIT = 100


def slow_requests(since: dt.datetime, limit: int = LIMIT) -> list[SlowRequest]:
    return list(SlowRequest.objects.filter(at__gte=since).order_by("-duration_ms")[:limit])


def slow_queries(since: dt.datetime, limit: int = LIMIT) -> list[dict[str, Any]]:
    rows = (
        SlowQuery.objects.filter(hour__gte=_hour(since))
        .values("fingerprint", "sql", "alias", "location")
        .annotate(
            count=Sum("count"),
            total_ms=Sum("total_ms"),
            slowest_ms=Max("slowest_ms"),
            last_seen=Max("last_seen"),
        )
        .order_by("-total_ms")[:limit]
    )
    return [{**row, "mean_ms": row["total_ms"] / row["count"]} for row in rows]


@dataclass
class ExceptionSummary:
    exception: str
    location: str
    route: str
    count: int
    first_seen: dt.datetime
    last_seen: dt.datetime
    latest_request_id: str


def exceptions(since: dt.datetime, limit: int = LIMIT) -> list[ExceptionSummary]:
    groups: dict[str, ExceptionSummary] = {}
    for row in ExceptionGroup.objects.filter(hour__gte=_hour(since)).order_by("last_seen"):
        group = groups.get(row.fingerprint)
        if group is None:
            groups[row.fingerprint] = ExceptionSummary(
                row.exception,
                row.location,
                row.route,
                row.count,
                row.first_seen,
                row.last_seen,
                row.latest_request_id,
            )
            continue
        group.count += row.count
        group.first_seen = min(group.first_seen, row.first_seen)
        group.last_seen, group.latest_request_id = row.last_seen, row.latest_request_id
        group.route = row.route
    ordered = sorted(groups.values(), key=lambda group: group.last_seen, reverse=True)
    return ordered[:limit]


@dataclass(frozen=True)
class BusyUser:
    user_id: str
    username: str
    requests: int


def busiest_users(since: dt.datetime, limit: int = 10) -> list[BusyUser]:
    rows = list(
        UserActivity.objects.filter(hour__gte=_hour(since))
        .values("user_id")
        .annotate(requests=Sum("requests"))
        .order_by("-requests", "user_id")[:limit]
    )
    names = _usernames([row["user_id"] for row in rows])
    return [
        BusyUser(row["user_id"], names.get(row["user_id"], ""), row["requests"]) for row in rows
    ]


def cache_reads(since: dt.datetime) -> dict[str, tuple[int, int]]:
    """Each cache alias's (hits, misses) in the hours that overlap the range."""
    rows = (
        CacheStat.objects.filter(hour__gte=_hour(since))
        .values("alias")
        .annotate(hits=Sum("hits"), misses=Sum("misses"))
    )
    return {row["alias"]: (row["hits"], row["misses"]) for row in rows}


def _usernames(user_ids: list[str]) -> dict[str, str]:
    model = get_user_model()
    keys = []
    for user_id in user_ids:
        try:
            keys.append(model._meta.pk.to_python(user_id))
        except Exception:  # an id of another user model, kept from before a change
            continue
    found = model._default_manager.in_bulk(keys) if keys else {}
    return {str(pk): user.get_username() for pk, user in found.items()}


def _hour(since: dt.datetime) -> dt.datetime:
    """The hour bucket ``since`` falls in: per-hour rows that overlap the range count."""
    return since.replace(minute=0, second=0, microsecond=0)
