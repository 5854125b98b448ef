"""Staff pages for backups: the history with its verify status, and starting a backup or a
verification from the site (``path("backups/", include("prodready_backup.urls"))``).

Each needs its permission: ``view_backuprecord`` to see the history, ``run_backup`` to
start a backup and ``verify_backup`` to start a verification (see ``pending`` for how
often).
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from prodready_backup import pending

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
VIEW_PERMISSION = "prodready_backup.view_backuprecord"
RUN_PERMISSION = "prodready_backup.run_backup"
VERIFY_PERMISSION = "prodready_backup.verify_backup"


def _refused(request: HttpRequest, permission: str) -> HttpResponse | None:
    """A login redirect, PermissionDenied, or None for active staff with ``permission``."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (user.is_active and user.is_staff and user.has_perm(permission)):
        raise PermissionDenied(
            _("This needs staff status and the %(permission)s permission.")
            % {"permission": permission}
        )
    return None


@never_cache
def backup_list(request: HttpRequest) -> HttpResponse:
    from prodready_backup.models import BackupRecord
    from prodready_backup.targets import all_targets

    refused = _refused(request, VIEW_PERMISSION)
    if refused is not None:
        return refused
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
        "can_run": request.user.has_perm(RUN_PERMISSION),
        "can_verify": request.user.has_perm(VERIFY_PERMISSION),
    }
    return render(request, "prodready_backup/backup_list.html", context)


@require_POST
def back_up_now(request: HttpRequest) -> HttpResponse:
    return _refused(request, RUN_PERMISSION) or _start(request, "backup")


@require_POST
def verify_now(request: HttpRequest) -> HttpResponse:
    return _refused(request, VERIFY_PERMISSION) or _start(request, "verify")


def _start(request: HttpRequest, job: pending.Job) -> HttpResponse:
    """Run ``job`` for the posted target (all if none) through Celery or in-process."""
    from prodready_backup.targets import all_targets
    from prodready_backup.tasks import dispatch

    back = _next_url(request)
    known = [t.name for t in all_targets()]
    target = request.POST.get("target", "").strip() or None
    if target is not None and target not in known:
        messages.error(
            request,
            _("There is no backup target %(target)s.") % {"target": target},
            fail_silently=True,
        )
        return HttpResponseRedirect(back)
    targets = [target] if target else known
    try:
        pending.claim(job, targets, request.user)
    except pending.RequestRefused as exc:
        messages.error(request, str(exc), fail_silently=True)
        return HttpResponseRedirect(back)
    user = request.user
    try:
        dispatch(
            job,
            target=target,
            reason=f"requested by {user.get_username()}",
            actor_id=str(user.pk),
        )
    except Exception:  # the broker is unreachable: say so, never a 500
        logger.exception("Queueing the %s of %s failed", job, target or "every target")
        for name in targets:
            pending.release(job, name)
        messages.error(
            request,
            _(
                "It could not be queued: the task broker did not answer. "
                "Try again later, or run `manage.py backup` on the server."
            ),
            fail_silently=True,
        )
        return HttpResponseRedirect(back)
    # "Requested", not "done": with a broker the worker has yet to run it, and the
    # history is where its outcome shows.
    started = (
        _("Backup requested.")
        if job == "backup"
        else _("Verification of the latest backup requested.")
    )
    messages.info(request, started, fail_silently=True)
    return HttpResponseRedirect(back)


def _next_url(request: HttpRequest) -> str:
    next_url = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return next_url if safe else "/"
