"""The operations dashboard's requests card: rate, errors, p95 and the slowest routes."""

from __future__ import annotations

from typing import Literal

from django.utils.translation import gettext

from prodready import anomalies
from prodready.dashboard import DashboardCard
from prodready.time_range import DEFAULT_RANGE, TimeRange
from prodready_observability.analytics.charts import request_charts
from prodready_observability.analytics.minutes import minute_figures
from prodready_observability.analytics.series import request_series
from prodready_observability.analytics.summary import last_hour
from prodready_observability.metrics.cache_counting import uncounted

ERROR_RATE_WARNING = 0.01
ERROR_RATE_ERROR = 0.05


@uncounted()  # the card's reads (its figures, anomaly flags) are not the site's
def requests_card(time_range: TimeRange = DEFAULT_RANGE) -> DashboardCard | None:
    summary = last_hour()
    figures = minute_figures(time_range)
    if summary is None or figures is None:
        return None
    status: Literal["ok", "warning", "error", "info"] = "info"
    if summary.requests:
        status = "ok"
        if summary.error_rate >= ERROR_RATE_WARNING:
            status = "warning"
        if summary.error_rate >= ERROR_RATE_ERROR:
            status = "error"
    # The anomaly detector's verdict on this card's series (prodready.anomalies).
    flags = anomalies.flags({series.name: series.label for series in request_series()})
    if flags and status in ("ok", "info"):
        status = "warning"
    return DashboardCard(
        title=gettext("Requests, last hour"),
        template="prodready_observability/dashboard/requests_card.html",
        context={
            "summary": summary,
            "error_percent": summary.error_rate * 100,
            "charts": request_charts(figures, time_range),
            "anomaly_flags": flags,
        },
        status=status,
        order=20,
    )
