"""The operations dashboard's Celery card, linking to the Celery page."""

from __future__ import annotations

from typing import Literal, cast

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext

from prodready import anomalies
from prodready.dashboard import DashboardCard
from prodready_observability.celery_insight.overview import celery_overview
from prodready_observability.celery_insight.series import celery_failure_series
from prodready_observability.metrics.cache_counting import uncounted

SHOWN_FAILING = 3


@uncounted()  # the card's reads (its figures, anomaly flags) are not the site's
def celery_card() -> DashboardCard | None:
    """None when Celery is not installed (the ``celery`` extra)."""
    try:
        import celery  # noqa: F401
    except ImportError:
        return None
    overview = celery_overview()
    try:
        url: str | None = reverse("prodready_observability:celery")
    except NoReverseMatch:  # the project did not mount prodready_observability.urls
        url = None
    status = cast(Literal["ok", "warning", "error", "info"], overview.status)
    failing = overview.tasks.failing[:SHOWN_FAILING] if overview.tasks else ()
    # The anomaly detector's verdict on failures per minute (prodready.anomalies).
    flags = anomalies.flags({series.name: series.label for series in celery_failure_series()})
    if flags and status in ("ok", "info"):
        status = "warning"
    return DashboardCard(
        title=gettext("Celery"),
        template="prodready_observability/dashboard/celery_card.html",
        context={"overview": overview, "failing": failing, "anomaly_flags": flags},
        status=status,
        order=25,
        url=url,
    )
