"""The "Your sessions" page, and the page where admins end another user's sessions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.cache import never_cache

from prodready_security.otp import trusted_browsers
from prodready_security.sessions import keys
from prodready_security.sessions.models import UserSession
from prodready_security.sessions.revoke import revoke

REVOKE_PERMISSION = "prodready_security.revoke_usersession"


def can_revoke_others(user: Any) -> bool:
    return bool(user.is_superuser or (user.is_staff and user.has_perm(REVOKE_PERMISSION)))


def only_posted(sessions: QuerySet[UserSession], request: HttpRequest) -> QuerySet[UserSession]:
    """The one of ``sessions`` chosen on the page; none for anything but a session's id.

    ASCII digits only, and few enough for a database integer: ``str.isdigit()`` alone lets
    through "²" and numbers of thousands of digits, which the query cannot take.
    """
    pk = posted_pk(request, "session")
    return sessions.filter(pk=pk) if pk is not None else sessions.none()


def posted_pk(request: HttpRequest, name: str) -> int | None:
    value = request.POST.get(name, "")
    if value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


def current_hash(request: HttpRequest) -> str | None:
    session_key = request.session.session_key
    return keys.key_hash(session_key) if session_key else None


@never_cache
@login_required
def manage(request: HttpRequest) -> HttpResponse:
    user: Any = request.user  # signed in: login_required redirected everyone else
    sessions = UserSession.objects.filter(user=user)
    current = current_hash(request)
    if request.method == "POST":
        if "trusted_browser" in request.POST:
            _untrusted(request, user, posted_pk(request, "trusted_browser"))
            return redirect("prodready_sessions:manage")
        # The current session is never in the choice: signing out is the logout link's job.
        chosen = sessions.exclude(key_hash=current)
        if "revoke_others" not in request.POST:
            chosen = only_posted(chosen, request)
        else:
            _untrusted(request, user, None)  # signing out everywhere ends every trust
        ended = revoke(chosen, request=request)
        _signed_out(request, ended)
        return redirect("prodready_sessions:manage")
    context = {
        "sessions": sessions,
        "current": current,
        "subject": user,
        "own": True,
        "trusted": trusted_browsers.listed(user),
    }
    return render(request, "prodready_security/sessions/list.html", context)


@never_cache
def user_sessions(request: HttpRequest, user_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not can_revoke_others(request.user):
        raise PermissionDenied(
            gettext("Ending other users' sessions needs the revoke permission.")
        )
    subject = get_object_or_404(get_user_model(), pk=user_id)
    sessions = UserSession.objects.filter(user=subject)
    current = current_hash(request)
    if request.method == "POST":
        chosen = sessions.exclude(key_hash=current)
        if "revoke_all" not in request.POST:
            chosen = only_posted(chosen, request)
        else:
            _untrusted(request, subject, None)
        ended = revoke(chosen, request=request)
        _signed_out(request, ended)
        return redirect("prodready_sessions:user", user_id=subject.pk)
    context = {
        "sessions": sessions,
        "current": current,
        "subject": subject,
        "own": False,
        "trusted": trusted_browsers.listed(subject),
    }
    return render(request, "prodready_security/sessions/list.html", context)


def _untrusted(request: HttpRequest, user: Any, pk: int | None) -> None:
    """Stop trusting one browser of ``user`` (``pk``), or all when ``pk`` is None."""
    if pk is None and "trusted_browser" in request.POST:
        return  # a posted value that names no browser: nothing is chosen
    trusted_browsers.end(request, user, pk)


def _signed_out(request: HttpRequest, ended: int) -> None:
    messages.success(request, signed_out_message(ended), fail_silently=True)


def signed_out_message(ended: int) -> str:
    return ngettext("Signed out {count} session.", "Signed out {count} sessions.", ended).format(
        count=ended
    )
