"""Staff pages for backups: the history with its verify status, and starting a backup or a
verification from the site (``path("backups/", include("prodready_backup.urls"))``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

PAGE_SIZE = 50
VIEW_PERMISSION = "prodready_backup.view_backuprecord"
STARTED = {"backup": "Backup requested.", "verify": "Verification of the latest backup requested."}


@never_cache
def backup_list(request: HttpRequest) -> HttpResponse:
    from prodready_backup.models import BackupRecord
    from prodready_backup.targets import all_targets

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (request.user.is_staff and request.user.has_perm(VIEW_PERMISSION)):
        raise PermissionDenied("The backups page is for staff allowed to view backup records.")
    records = BackupRecord.objects.order_by("-started_at")
    # No target's name holds a NUL, and PostgreSQL refuses one in a query.
    target = request.GET.get("target", "").replace("\x00", "").strip()
    if target:
        records = records.filter(target=target)
    context = {
        "page": Paginator(records, PAGE_SIZE).get_page(request.GET.get("page")),
        "target": target,
        "targets": [t.name for t in all_targets()],
        "messages": get_messages(request),  # without relying on the context processor
    }
    return render(request, "prodready_backup/backup_list.html", context)


@require_POST
def back_up_now(request: HttpRequest) -> HttpResponse:
    return _start(request, "backup")


@require_POST
def verify_now(request: HttpRequest) -> HttpResponse:
    return _start(request, "verify")


def _start(request: HttpRequest, job: str) -> HttpResponse:
    """Run ``job`` for the posted target (all if none) through Celery or in-process."""
    from prodready_backup.tasks import dispatch

    user = getattr(request, "user", None)
    if user is None or not (user.is_active and user.is_staff):
        return HttpResponseForbidden(f"Only staff can start a {job}.")
    dispatch(job, target=request.POST.get("target") or None)
    # "Requested", not "done": with a broker the worker has yet to run it, and the
    # history is where its outcome shows.
    messages.info(request, STARTED[job], fail_silently=True)
    next_url = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return HttpResponseRedirect(next_url if safe else "/")
