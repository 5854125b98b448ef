"""Dashboard card: the most recent audit events, for staff allowed to see the log."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext

from prodready import DashboardCard
from prodready_security.audit.models import AuditEvent
from prodready_security.conf import conf

VIEW_PERMISSION = "prodready_security.view_auditevent"
CARD_EVENTS = 8


def cards(request: HttpRequest) -> list[DashboardCard]:
    if not request.user.has_perm(VIEW_PERMISSION):
        return []
    events = list(
        AuditEvent.objects.using(conf.AUDIT_DATABASE).order_by("-sequence")[:CARD_EVENTS]
    )
    failed = sum(event.action == "auth.login_failed" for event in events)
    return [
        DashboardCard(
            title=gettext("Audit log"),
            template="prodready_security/audit/dashboard_card.html",
            context={"events": events},
            status="warning" if failed else "info",
            order=40,
            url=recent_events_url(),
        )
    ]


def recent_events_url() -> str | None:
    for name in (
        "prodready_security_audit:recent",
        "admin:prodready_security_auditevent_changelist",
    ):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None
