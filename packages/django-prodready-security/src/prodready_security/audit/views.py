"""The staff page of recent audit events, filterable by action and actor."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache

from prodready_security.audit.cards import VIEW_PERMISSION
from prodready_security.audit.models import AuditEvent
from prodready_security.conf import conf

PAGE_SIZE = 50
MAX_FILTER = 200  # characters of a filter kept: longer than any action or username


@never_cache
def recent_events(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (request.user.is_staff and request.user.has_perm(VIEW_PERMISSION)):
        raise PermissionDenied(gettext("The audit log is for staff allowed to view audit events."))
    events = AuditEvent.objects.using(conf.AUDIT_DATABASE).order_by("-sequence")
    action, actor = _filter(request, "action"), _filter(request, "actor")
    if action:
        events = events.filter(action__startswith=action)
    if actor:
        events = events.filter(actor_snapshot__username=actor)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "action": action, "actor": actor}
    return render(request, "prodready_security/audit/recent_events.html", context)


def _filter(request: HttpRequest, name: str) -> str:
    # No stored action or username holds a NUL, and PostgreSQL refuses one in a query.
    return request.GET.get(name, "").replace("\x00", "").strip()[:MAX_FILTER]
