"""The requests card's charts: requests and server errors per minute, and p95 latency."""

from __future__ import annotations

from django.utils.translation import gettext

from prodready.dashboard.charts import Chart, Series
from prodready.time_range import TimeRange
from prodready_observability.analytics.minutes import MinuteFigures


def request_charts(figures: MinuteFigures, time_range: TimeRange) -> list[Chart]:
    note = ""
    if not figures.covers_range:
        note = gettext(
            "The analytics store keeps only the last hour, so this shows that hour of the "
            "{range} asked for; older minutes appear once a database history is kept."
        ).format(range=time_range.label)
    turned_on = gettext(
        "Requests are counted by RequestMiddleware (in MIDDLEWARE) into the analytics "
        "store (PRODREADY_ANALYTICS_CACHE)."
    )
    return [
        Chart(
            title=gettext("Requests"),
            x=figures.minutes,
            series=[
                Series(gettext("Requests"), figures.requests),
                Series(gettext("Server errors (5xx)"), figures.errors),
            ],
            y_label=gettext("requests / min"),
            empty=gettext("Requests and server errors per minute will appear here.")
            + " "
            + turned_on,
            note=note,
        ),
        Chart(
            title=gettext("Response time, 95th percentile"),
            x=figures.minutes,
            series=[Series(gettext("95th percentile"), figures.p95_ms)],
            y_label=gettext("milliseconds"),
            unit=gettext("ms"),
            empty=gettext("The 95th-percentile response time of each minute will appear here.")
            + " "
            + turned_on,
            note=note,
        ),
    ]
