"""Core's own dashboard card: every health check with its status and latency."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext, gettext_noop, ngettext

from prodready.dashboard.cards import DashboardCard
from prodready.health.report import HealthReport, OverallStatus

# The card's colour, by the report's overall status.
_OVERALL_TONE: dict[OverallStatus, Literal["ok", "warning", "error"]] = {
    "ok": "ok",
    "degraded": "warning",
    "failed": "error",
}
_SUMMARY: dict[OverallStatus, str] = {
    "degraded": gettext_noop("Serving, but a non-critical check is failing."),
    "failed": gettext_noop("Not ready: a critical check is failing."),
}


def health_card(request: HttpRequest) -> DashboardCard:
    # The runner's cached report: opening the dashboard never adds a probe's cost.
    from prodready.health.runner import get_report

    return card_for(get_report())


def card_for(report: HealthReport) -> DashboardCard:
    checks = [
        {
            "name": result.name,
            "status": result.status,
            "tone": "ok" if result.ok else ("error" if result.critical else "warning"),
            "critical": result.critical,
            "latency_ms": result.latency_ms,
            "message": result.message,
        }
        # Failing checks first, critical before non-critical; otherwise the runner's order.
        for result in sorted(report.results, key=lambda r: (r.ok, not r.critical))
    ]
    if report.status == "ok":
        summary = ngettext(
            "The {count} check passes.", "All {count} checks pass.", len(checks)
        ).format(count=len(checks))
    else:
        summary = gettext(_SUMMARY[report.status])
    summary += " " + gettext("Checked at {time} UTC in {duration} ms.").format(
        time=f"{report.checked_at:%H:%M:%S}", duration=f"{report.duration_ms:.0f}"
    )
    return DashboardCard(
        title=gettext("Health"),
        template="prodready/dashboard/health_card.html",
        context={"checks": checks, "summary": summary},
        status=_OVERALL_TONE[report.status],
        order=0,
        url=_detail_url(),
    )


def _detail_url() -> str | None:
    try:
        return reverse("prodready:health-detail")
    except NoReverseMatch:  # a project that mounts the dashboard without health
        return None
