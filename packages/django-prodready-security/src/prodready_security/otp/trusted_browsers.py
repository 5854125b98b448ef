""" "Trust this browser for N days": a signed, revocable cookie that skips the second factor.

With ``PRODREADY_OTP_TRUSTED_BROWSER_DAYS`` above 0, the verify page offers to trust the
browser (to superusers only if ``PRODREADY_OTP_TRUSTED_BROWSER_SUPERUSERS``). The cookie
holds the user's id and a random token, signed with ``SECRET_KEY``; the server keeps a
:class:`~prodready_security.otp.models.TrustedBrowser` row with the token's digest and a
digest of what the trust was given for: the user's password and their set of devices.
So the trust ends when the row is deleted (the sessions page, "sign out everywhere"),
when it expires, when the password changes, and when a device is added or removed. A
cookie copied to another browser works there too, as a session cookie would: it is
``HttpOnly``, ``Secure`` where sessions are, and each use is an audit event.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django_otp.models import Device

from prodready_security.conf import conf
from prodready_security.otp import user_devices
from prodready_security.otp.events import record
from prodready_security.otp.models import TrustedBrowser

COOKIE = "prodready_trusted_browser"
SALT = "prodready_security.otp.trusted_browsers"


def offered_to(user: Any) -> bool:
    """Whether ``user`` may trust a browser, by the settings."""
    if conf.OTP_TRUSTED_BROWSER_DAYS <= 0:
        return False
    return conf.OTP_TRUSTED_BROWSER_SUPERUSERS or not getattr(user, "is_superuser", False)


def binding(user: Any) -> str:
    """A digest of the user's password and confirmed devices: a change to either ends trust."""
    ids = sorted(listed.device.persistent_id for listed in user_devices.listed(user))
    text = "\n".join([user.get_session_auth_hash(), *ids])
    return hashlib.sha256(text.encode()).hexdigest()


def trust(request: HttpRequest, response: HttpResponse, user: Any, device: Device) -> None:
    """Trust this browser for ``user``, who just verified with ``device``."""
    token = secrets.token_urlsafe(32)
    days = conf.OTP_TRUSTED_BROWSER_DAYS
    TrustedBrowser.objects.create(
        user=user,
        digest=_digest(token),
        bound_to=binding(user),
        device_id=device.persistent_id,
        user_agent=request.headers.get("user-agent", "")[:200],
        expires_at=timezone.now() + timedelta(days=days),
    )
    response.set_signed_cookie(
        COOKIE,
        f"{user.pk}:{token}",
        salt=SALT,
        max_age=days * 86400,
        secure=settings.SESSION_COOKIE_SECURE or request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    record("otp.browser_trusted", request, user, days=days)


def trusted_device(request: HttpRequest) -> Device | None:
    """The device to verify this session with, if the browser is trusted for its user."""
    user: Any = request.user
    if not offered_to(user):
        return None
    value = request.get_signed_cookie(
        COOKIE, default=None, salt=SALT, max_age=conf.OTP_TRUSTED_BROWSER_DAYS * 86400
    )
    user_pk, _, token = (value or "").partition(":")
    if not token or user_pk != str(user.pk):
        return None
    found = TrustedBrowser.objects.filter(
        user=user, digest=_digest(token), expires_at__gt=timezone.now()
    ).first()
    if found is None:
        return None
    device = Device.from_persistent_id(found.device_id, for_verify=False)
    intact = device is not None and device.confirmed and device.user_id == user.pk
    if not intact or found.bound_to != binding(user):
        found.delete()  # the password or the devices changed since
        return None
    found.last_used_at = timezone.now()
    found.save(update_fields=["last_used_at"])
    record("otp.trusted_browser_used", request, user)
    return device


def listed(user: Any) -> list[TrustedBrowser]:
    """The browsers still trusted for ``user``, newest first."""
    return list(
        TrustedBrowser.objects.filter(
            user=user, expires_at__gt=timezone.now(), bound_to=binding(user)
        ).order_by("-created_at")
    )


def end(request: HttpRequest | None, user: Any, pk: int | None = None) -> int:
    """Stop trusting one of ``user``'s browsers (``pk``), or all of them; how many ended."""
    browsers = TrustedBrowser.objects.filter(user=user)
    if pk is not None:
        browsers = browsers.filter(pk=pk)
    ended, _ = browsers.delete()
    if ended:
        record("otp.trusted_browsers_ended", request, user, count=ended)
    return ended


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
