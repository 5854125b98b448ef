"""An authentication backend that authenticates no one: it stops a locked-out login.

Put it first in ``AUTHENTICATION_BACKENDS``::

    AUTHENTICATION_BACKENDS = [
        "prodready_security.ratelimit.backends.LoginLockoutBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]

``authenticate()`` asks the backends in order; raising ``PermissionDenied`` stops
it before any later backend checks the password, for every caller (Django's
``LoginView``, the admin's login, an API login view). A backend rather than a
middleware matching login URLs, because it cannot miss a login path.

It deliberately has no ``get_user()``: Django stores the first backend that has one
as a session's backend (``Client.force_login()`` does), and this one finds no users.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from prodready_security.ratelimit.login_protection import REFUSAL_ATTRIBUTE, refusal

if TYPE_CHECKING:
    from django.http import HttpRequest

DOTTED_PATH = "prodready_security.ratelimit.backends.LoginLockoutBackend"


class LoginLockoutBackend:
    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        refused = refusal(request, username_from(credentials))
        if refused is None:
            return None  # not locked: the next backend checks the password
        if request is not None:
            setattr(request, REFUSAL_ATTRIBUTE, refused)
        raise PermissionDenied(gettext("Too many failed logins."))

    async def aauthenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        # The lockout reads the cache with blocking I/O: off the event loop.
        await sync_to_async(self.authenticate)(request, **credentials)


def username_from(credentials: dict[str, Any]) -> str | None:
    """The username tried, whether passed as ``username`` or as the USERNAME_FIELD."""
    value = credentials.get("username") or credentials.get(get_user_model().USERNAME_FIELD)
    return value if isinstance(value, str) else None
