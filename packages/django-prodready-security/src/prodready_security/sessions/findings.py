"""Readiness findings of sessions (``prodready_readiness_findings``).

- ``prodready_security.R070`` (security) idle sessions are logged out
  (``PRODREADY_SESSIONS_IDLE_TIMEOUT`` and ``SessionActivityMiddleware``)
- ``prodready_security.R071`` (security) sessions live on the server, so they can be
  revoked (``SESSION_ENGINE`` is not signed cookies)
"""

from __future__ import annotations

from django.conf import settings

from prodready import Finding
from prodready_security.conf import conf
from prodready_security.sessions.middleware import DOTTED_PATH
from prodready_security.sessions.tracking import SIGNED_COOKIES, revocable


def findings() -> list[Finding]:
    return [idle_logout(), server_side_sessions()]


def idle_logout() -> Finding:
    timeout = conf.SESSIONS_IDLE_TIMEOUT
    installed = DOTTED_PATH in settings.MIDDLEWARE
    passed = bool(timeout) and installed
    if not timeout:
        detail = "PRODREADY_SESSIONS_IDLE_TIMEOUT is None."
    elif not installed:
        detail = f"{DOTTED_PATH} is not in MIDDLEWARE."
    else:
        detail = ""
    return Finding(
        "prodready_security.R070",
        "security",
        "Idle sessions are logged out",
        passed,
        fix=f"Set PRODREADY_SESSIONS_IDLE_TIMEOUT (for example 1800 seconds) and add "
        f"{DOTTED_PATH} to MIDDLEWARE after AuthenticationMiddleware.",
        weight=1,
        detail=detail,
    )


def server_side_sessions() -> Finding:
    passed = revocable()
    return Finding(
        "prodready_security.R071",
        "security",
        "Sessions can be revoked",
        passed,
        fix="Use a server-side SESSION_ENGINE ('django.contrib.sessions.backends.db', "
        "'cache' or 'cached_db'), so signing a session out really ends it.",
        weight=2,
        detail=""
        if passed
        else f"SESSION_ENGINE is {SIGNED_COOKIES!r}: sessions live in "
        "the browser until they expire.",
    )
