"""The staff page of sign-in lockouts in force, where they can be ended."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.cache import never_cache

from prodready_security.ratelimit import lockouts
from prodready_security.ratelimit.types import StoreUnavailable

UNLOCK_PERMISSION = "prodready_security.unlock_loginlockout"
# Longer than any username Django's user model or an IPv6 address takes.
MAX_FIELD = 255


def may_unlock(user: object) -> bool:
    return bool(
        getattr(user, "is_active", False)
        and getattr(user, "is_staff", False)
        and user.has_perm(UNLOCK_PERMISSION)  # type: ignore[attr-defined]
    )


@never_cache
def lockout_list(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not may_unlock(request.user):
        raise PermissionDenied(gettext("Sign-in lockouts are for staff allowed to end them."))
    try:
        if request.method == "POST":
            _unlock(request)
            return redirect("prodready_lockouts:list")
        found = lockouts.in_force()
    except StoreUnavailable:
        # The page degrades, as the operations pages do while a dependency is down: it says
        # the lockouts cannot be read (and that every sign-in is refused meanwhile).
        context = {"unavailable": True, "lockouts": []}
        return render(request, "prodready_security/ratelimit/lockouts.html", context)
    return render(request, "prodready_security/ratelimit/lockouts.html", {"lockouts": found})


def _unlock(request: HttpRequest) -> None:
    username = request.POST.get("username", "").strip()[:MAX_FIELD] or None
    address = request.POST.get("address", "").strip()[:MAX_FIELD] or None
    if username is None and address is None:
        messages.error(request, gettext("Name a username or an address to unlock."))
        return
    ended = lockouts.unlock(username, address, actor=request.user, request=request)
    if ended:
        text = ngettext("Ended %(count)d lockout.", "Ended %(count)d lockouts.", len(ended))
        messages.success(request, text % {"count": len(ended)})
    else:
        messages.info(request, gettext("No lockout in force matched; it may have just ended."))
