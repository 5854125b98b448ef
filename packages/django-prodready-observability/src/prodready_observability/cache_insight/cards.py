"""The operations dashboard's cache card: the hit rate of each cache over the time range."""

from __future__ import annotations

from django.utils.translation import gettext

from prodready.dashboard import DashboardCard
from prodready.time_range import DEFAULT_RANGE, TimeRange
from prodready_observability.cache_insight.rates import cache_reads
from prodready_observability.conf import conf
from prodready_observability.metrics.cache_counting import uncounted


@uncounted()  # the card's reads (its figures, anomaly flags) are not the site's
def cache_card(time_range: TimeRange = DEFAULT_RANGE) -> DashboardCard:
    """Shown even when nothing is counted: its empty state says what turns counting on."""
    counting = bool(conf.METRICS_CACHE)
    reads = cache_reads(time_range) if counting else None
    return DashboardCard(
        title=gettext("Cache hit rate"),
        template="prodready_observability/dashboard/cache_card.html",
        context={
            "counting": counting,
            "store": reads is not None,
            "reads": reads,
            "time_range": time_range,
        },
        status="info",
        order=26,
    )
