"""Logins, failed logins and logouts, sent as audit events through ``prodready.audit``.

Sent through core rather than stored directly, so that every plugin (logs,
metrics) sees them too.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

import prodready


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="prodready_audit_login")
    user_logged_out.connect(_logged_out, dispatch_uid="prodready_audit_logout")
    user_login_failed.connect(_login_failed, dispatch_uid="prodready_audit_login_failed")


def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    prodready.audit("auth.login", actor=user, target=user, request=request)


def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    prodready.audit("auth.logout", actor=user, target=user, request=request)


def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Django has already masked the password in ``credentials``; keep only the name tried.
    username = credentials.get(get_user_model().USERNAME_FIELD, credentials.get("username"))
    prodready.audit("auth.login_failed", request=request, username=str(username or "")[:150])
