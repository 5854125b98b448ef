"""Receivers of Django's auth signals that feed the login lockout (connected in ``ready()``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from prodready_security.ratelimit.backends import username_from
from prodready_security.ratelimit.login_protection import forget_failures, record_failure

if TYPE_CHECKING:
    from django.http import HttpRequest


def login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    record_failure(request, username_from(credentials))


def logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    forget_failures(request, user.get_username())


def connect() -> None:
    from django.contrib.auth.signals import user_logged_in, user_login_failed

    user_login_failed.connect(login_failed, dispatch_uid="prodready-security-login-failed")
    user_logged_in.connect(logged_in, dispatch_uid="prodready-security-logged-in")
