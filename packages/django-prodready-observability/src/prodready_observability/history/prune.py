"""Deleting history older than ``PRODREADY_ANALYTICS_KEEP_DAYS`` (minutes: two days at most)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from prodready_observability.conf import conf
from prodready_observability.history.flush import database
from prodready_observability.history.models import (
    CacheStat,
    ExceptionGroup,
    RouteStat,
    SlowQuery,
    SlowRequest,
    UserActivity,
)

MINUTES_KEPT_DAYS = 2


def prune(now: dt.datetime | None = None) -> int:
    """Delete what is too old; the number of rows deleted."""
    now = now or timezone.now()
    using = database()
    keep = dt.timedelta(days=conf.ANALYTICS_KEEP_DAYS)
    minutes = min(keep, dt.timedelta(days=MINUTES_KEPT_DAYS))
    stats = RouteStat.objects.using(using)
    deleted = stats.filter(
        resolution=RouteStat.Resolution.MINUTE, start__lt=now - minutes
    ).delete()[0]
    deleted += stats.filter(start__lt=now - keep).delete()[0]
    deleted += SlowRequest.objects.using(using).filter(at__lt=now - keep).delete()[0]
    for model in (SlowQuery, ExceptionGroup, UserActivity, CacheStat):
        deleted += model._default_manager.using(using).filter(hour__lt=now - keep).delete()[0]
    return deleted
