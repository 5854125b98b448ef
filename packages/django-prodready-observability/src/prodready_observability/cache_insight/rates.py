"""Cache hits and misses per alias over a dashboard time range, for the cache card.

The last hour comes from the analytics store, per minute. A longer range comes from the
request history's hourly rows while ``PRODREADY_ANALYTICS_HISTORY`` is on (whole hours:
the range's first hour counts in full); without it, or when its database cannot be
read, from the store's last hour, saying so (``covers_range``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError

from prodready.time_range import TimeRange
from prodready_observability.analytics.minutes import recent_minutes
from prodready_observability.analytics.store import _key
from prodready_observability.analytics.summary import HOUR
from prodready_observability.conf import conf
from prodready_observability.metrics.cache_counting import uncounted
from prodready_observability.metrics.cache_minutes import name

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AliasReads:
    alias: str
    hits: int
    misses: int

    @property
    def reads(self) -> int:
        return self.hits + self.misses

    @property
    def hit_percent(self) -> float | None:
        return 100 * self.hits / self.reads if self.reads else None


@dataclass(frozen=True)
class CacheReads:
    aliases: tuple[AliasReads, ...]  # in the order of CACHES
    source: Literal["store", "history"]
    covers_range: bool  # False: the range reaches back further than the source keeps

    @property
    def reads(self) -> int:
        return sum(alias.reads for alias in self.aliases)


def cache_reads(time_range: TimeRange, now: float | None = None) -> CacheReads | None:
    """None when the store is off (``PRODREADY_ANALYTICS_CACHE = None``) and the history
    cannot stand in for it."""
    if time_range.minutes > HOUR and conf.ANALYTICS_HISTORY:
        try:
            return _from_history(time_range)
        except DatabaseError:
            logger.warning("Cache reads could not be read from the request history", exc_info=True)
    return _from_store(time_range, now)


def _from_history(time_range: TimeRange) -> CacheReads:
    # Written every PRODREADY_ANALYTICS_FLUSH_SECONDS: this process's last ones may be missing.
    from prodready_observability.history.reading import cache_reads as hourly

    found = hourly(time_range.start())
    return _reads(lambda alias: found.get(alias, (0, 0)), "history", covers_range=True)


def _from_store(time_range: TimeRange, now: float | None) -> CacheReads | None:
    recent = recent_minutes(time_range, now)
    if recent is None:
        return None
    alias, minutes = recent
    keys = {
        (cache, result): [_key(minute, name(cache, result)) for minute in minutes]
        for cache in settings.CACHES
        for result in ("hit", "miss")
    }
    with uncounted():  # reading the figures is not the site's traffic
        found = caches[alias].get_many([key for each in keys.values() for key in each])

    def total(cache: str, result: str) -> int:
        return sum(int(found.get(key) or 0) for key in keys[cache, result])

    return _reads(
        lambda cache: (total(cache, "hit"), total(cache, "miss")),
        "store",
        covers_range=len(minutes) >= time_range.minutes,
    )


def _reads(
    counts: Callable[[str], tuple[int, int]],
    source: Literal["store", "history"],
    covers_range: bool,
) -> CacheReads:
    """Every alias of ``CACHES``, in its order, with its (hits, misses) from ``counts``."""
    return CacheReads(
        aliases=tuple(AliasReads(alias, *counts(alias)) for alias in settings.CACHES),
        source=source,
        covers_range=covers_range,
    )
