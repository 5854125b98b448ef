"""Cache hits and misses per alias over a dashboard time range, for the cache card.

Read from the analytics store, which keeps the last hour: a longer range gets that hour
and says so (``covers_range``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches

from prodready.time_range import TimeRange
from prodready_observability.analytics.store import _key, recorder
from prodready_observability.analytics.summary import HOUR
from prodready_observability.conf import conf
from prodready_observability.metrics.cache_counting import uncounted
from prodready_observability.metrics.cache_minutes import name


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
    covers_range: bool  # False: the range reaches back further than the store keeps

    @property
    def reads(self) -> int:
        return sum(alias.reads for alias in self.aliases)


def cache_reads(time_range: TimeRange, now: float | None = None) -> CacheReads | None:
    """None when the store is off (``PRODREADY_ANALYTICS_CACHE = None``)."""
    alias = conf.ANALYTICS_CACHE
    if alias is None:
        return None
    recorder.flush()  # this process's latest counts too
    current = int((time.time() if now is None else now) // 60)
    span = min(time_range.minutes, HOUR)
    minutes = range(current - span + 1, current + 1)
    keys = {
        (cache, result, minute): _key(minute, name(cache, result))
        for cache in settings.CACHES
        for result in ("hit", "miss")
        for minute in minutes
    }
    with uncounted():  # reading the figures is not the site's traffic
        found = caches[alias].get_many(list(keys.values()))

    def total(cache: str, result: str) -> int:
        return sum(int(found.get(keys[cache, result, minute]) or 0) for minute in minutes)

    return CacheReads(
        aliases=tuple(
            AliasReads(cache, total(cache, "hit"), total(cache, "miss"))
            for cache in settings.CACHES
        ),
        covers_range=span >= time_range.minutes,
    )
