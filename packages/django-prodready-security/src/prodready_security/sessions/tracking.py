"""Keeping ``UserSession`` rows in step with logins, logouts and requests.

``user_logged_in`` writes the row, ``user_logged_out`` removes it, and the middleware
refreshes "last seen" at most once per :data:`TOUCH_EVERY` seconds, so a busy user
costs one small write a minute, not one per request.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out

from prodready.client_ip import client_ip
from prodready_security.sessions import keys
from prodready_security.sessions.models import UserSession

if TYPE_CHECKING:
    from django.http import HttpRequest

SEEN = "_prodready_seen"  # in the session: when this session was last touched (epoch seconds)
KEY = "_prodready_key"  # in the session: the hash of its key when touched, to notice cycle_key()
TOUCH_EVERY = 60
SIGNED_COOKIES = "django.contrib.sessions.backends.signed_cookies"


def revocable() -> bool:
    """Signed-cookie sessions live in the browser: there is nothing to delete server-side."""
    return settings.SESSION_ENGINE != SIGNED_COOKIES


def touch(request: HttpRequest, user: Any) -> None:
    """Record that ``user`` used this session now (and remember when in the session)."""
    session = getattr(request, "session", None)
    if session is None or not revocable():
        return
    now = time.time()
    session[SEEN] = now
    if session.session_key is None:  # login() after another user's login flushed the key
        session.save()
    session_key = session.session_key
    if session_key is None:
        return
    current = keys.key_hash(session_key)
    previous = session.get(KEY)
    if previous and previous != current:  # the key was cycled (password change): move the row
        UserSession.objects.filter(key_hash=previous).delete()
    session[KEY] = current
    UserSession.objects.update_or_create(
        key_hash=current,
        defaults={
            "last_seen_at": datetime.fromtimestamp(now, UTC),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:500],
            "client_address": client_ip(request)[:45],
        },
        create_defaults={
            "user": user,
            "encrypted_key": keys.encrypt(session_key),
            "last_seen_at": datetime.fromtimestamp(now, UTC),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:500],
            "client_address": client_ip(request)[:45],
        },
    )


def due(request: HttpRequest) -> bool:
    session = request.session
    seen = session.get(SEEN)
    if not isinstance(seen, (int, float)) or time.time() - seen >= TOUCH_EVERY:
        return True
    # A cycled key (update_session_auth_hash) is recorded at once, not a minute later.
    return session.session_key is not None and session.get(KEY) != keys.key_hash(
        session.session_key
    )


def forget(request: HttpRequest | None) -> None:
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        UserSession.objects.filter(key_hash=keys.key_hash(session.session_key)).delete()


def logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None:
        touch(request, user)


def logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    forget(request)


def connect() -> None:
    user_logged_in.connect(logged_in, dispatch_uid="prodready-security-sessions-login")
    user_logged_out.connect(logged_out, dispatch_uid="prodready-security-sessions-logout")
