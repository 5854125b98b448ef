"""Dashboard card: the sign-in lockouts in force, for staff allowed to end them, and
whether failed logins per minute are unusual now (core's anomaly detector)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext

from prodready import DashboardCard, anomalies
from prodready_security.failed_logins import failed_login_series
from prodready_security.ratelimit import lockouts
from prodready_security.ratelimit.types import StoreUnavailable
from prodready_security.ratelimit.views import may_unlock

CARD_ROWS = 5


def cards(request: HttpRequest) -> list[DashboardCard]:
    if not may_unlock(request.user):
        return []
    try:
        found, unavailable = lockouts.in_force(), False
    except StoreUnavailable:
        found, unavailable = [], True
    locked = [lockout for lockout in found if lockout.scope != "username"]
    series = failed_login_series()
    flags = anomalies.flags({series.name: series.label})
    try:
        url: str | None = reverse("prodready_lockouts:list")
    except NoReverseMatch:
        url = None
    return [
        DashboardCard(
            title=gettext("Sign-in lockouts"),
            template="prodready_security/ratelimit/dashboard_card.html",
            context={
                "lockouts": found[:CARD_ROWS],
                "more": len(found) - CARD_ROWS,
                "unavailable": unavailable,
                "anomaly_flags": flags,
            },
            status="error" if unavailable else "warning" if locked or flags else "ok",
            order=45,
            url=url,
        )
    ]
