"""The dashboard card's "back up now" action."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST


@require_POST
def back_up_now(request: HttpRequest) -> HttpResponse:
    from prodready_backup.tasks import dispatch

    user = getattr(request, "user", None)
    if user is None or not (user.is_active and user.is_staff):
        return HttpResponseForbidden("Only staff can start a backup.")
    dispatch("backup", target=request.POST.get("target") or None)
    next_url = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return HttpResponseRedirect(next_url if safe else "/")
