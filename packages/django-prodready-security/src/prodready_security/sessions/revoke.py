"""Ending sessions: deleted from the session store (DB, cache or both), then forgotten.

Each revocation is an audit event, ``session.revoked``: the target is the user whose
sessions ended, the actor who ended them (``by_admin`` when it was someone else).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from importlib import import_module
from typing import TYPE_CHECKING, Any

from django.conf import settings

import prodready
from prodready_security.sessions import keys
from prodready_security.sessions.models import UserSession

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase
    from django.http import HttpRequest


def session_store(session_key: str | None = None) -> SessionBase:
    store: SessionBase = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    return store


def revoke(sessions: Iterable[UserSession], *, request: HttpRequest | None) -> int:
    """End ``sessions``; how many were ended. Records one audit event per user."""
    ended: dict[Any, int] = defaultdict(int)
    for row in sessions:
        session_key = keys.decrypt(row.encrypted_key)
        if session_key is not None:
            session_store(session_key).delete()
        row.delete()
        ended[row.user] += 1
    actor = getattr(request, "user", None)
    for user, count in ended.items():
        prodready.audit(
            "session.revoked",
            actor=actor,
            target=user,
            request=request,
            count=count,
            by_admin=actor is not None and getattr(actor, "pk", None) != user.pk,
        )
    return sum(ended.values())
