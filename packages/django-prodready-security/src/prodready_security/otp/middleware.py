"""The 2FA middleware: who has verified with a second factor, and who must first.

Install both after ``AuthenticationMiddleware``::

    ("django.contrib.auth.middleware.AuthenticationMiddleware",)
    ("prodready_security.otp.middleware.VerifiedDeviceMiddleware",)
    ("prodready_security.otp.middleware.OTPEnforcementMiddleware",)

``VerifiedDeviceMiddleware`` is a drop-in for django-otp's ``OTPMiddleware`` (either
may stand in that place). Like django-otp's, it gives ``request.user`` an
``otp_device`` (the device the session verified with, or None) and ``is_verified()``,
on ``request.auser()`` too. django-otp loads that device from the database on every
request, so that a removed or unconfirmed device ends the verification of every
session at once. This middleware keeps that promise with a cache read instead (see
``device_cache``). ``user.otp_device`` itself is loaded when first used.

``OTPEnforcementMiddleware`` makes users who must use 2FA set it up, then verify,
before any page. A user who enabled 2FA is sent to verify whether or not a setting
requires it of them: otherwise their second factor would protect nothing. Whether a
user has enrolled is remembered in the shared cache for
``PRODREADY_OTP_DEVICE_CACHE_SECONDS`` (until one of their devices is saved or deleted),
so a signed-in user without 2FA costs no database query per request.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from asgiref.sync import sync_to_async
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import LazyObject, SimpleLazyObject, empty
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import is_verified
from django_otp.models import Device

from prodready_security.conf import conf
from prodready_security.middleware_base import SyncAndAsyncMiddleware
from prodready_security.otp import device_cache, devices
from prodready_security.otp.exemptions import is_exempt
from prodready_security.otp.policy import otp_required

VERIFIED_DEVICE_MIDDLEWARE = "prodready_security.otp.middleware.VerifiedDeviceMiddleware"


class VerifiedDeviceMiddleware(SyncAndAsyncMiddleware):
    def _call(self, request: HttpRequest) -> Any:
        _install(request)
        return self.get_response(request)

    async def _acall(self, request: HttpRequest) -> Any:
        _install(request)
        return await self.get_response(request)


def _install(request: HttpRequest) -> None:
    user = getattr(request, "user", None)
    if user is not None:
        loaded = _loaded(user)
        if loaded is not None and not loaded.is_authenticated:
            # Already loaded (by SessionActivityMiddleware, say) and anonymous: nothing to
            # look up, so no lazy wrapper for every later read to pass through.
            _verified(request, loaded)
        else:
            request.user = SimpleLazyObject(functools.partial(_verified, request, user))  # type: ignore[assignment]
    auser = getattr(request, "auser", None)
    if auser is not None:
        request.auser = functools.partial(_averified, request, auser)


async def _averified(request: HttpRequest, auser: Callable[[], Awaitable[Any]]) -> Any:
    user = await auser()
    # The session, the cache and the database are read with blocking calls.
    return await sync_to_async(_verified)(request, user)


def _verified(request: HttpRequest, user: Any) -> Any:
    # The user itself, not AuthenticationMiddleware's lazy wrapper around it: wrapped
    # twice, every later read of ``request.user`` would pass through two proxies.
    user = _unwrapped(user)
    user.otp_device = None
    user.is_verified = functools.partial(is_verified, user)
    if user.is_authenticated:
        user.otp_device = _device(request, user)
    return user


def _loaded(user: Any) -> Any:
    """The user behind ``user`` if it is loaded already, else None (loading it costs a
    session read and a query, which a view may never need)."""
    if not isinstance(user, LazyObject):
        return user
    wrapped = user._wrapped
    return None if wrapped is empty else wrapped


def _unwrapped(user: Any) -> Any:
    if not isinstance(user, LazyObject):
        return user
    if user._wrapped is empty:
        user._setup()
    return user._wrapped


def _device(request: HttpRequest, user: Any) -> Any:
    """The session's device if it is a confirmed device of ``user``, else None."""
    persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
    if not isinstance(persistent_id, str) or not persistent_id:
        return None
    seconds = conf.OTP_DEVICE_CACHE_SECONDS
    if seconds and device_cache.cached_owner(persistent_id, seconds) == user.pk:
        return SimpleLazyObject(functools.partial(Device.from_persistent_id, persistent_id))
    device = Device.from_persistent_id(persistent_id)
    if device is None or device.user_id != user.pk or not device.confirmed:
        del request.session[DEVICE_ID_SESSION_KEY]
        return None
    if seconds:
        device_cache.remember(persistent_id, user.pk, seconds)
    return device


class OTPEnforcementMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return enrolment_redirect(request) or self.get_response(request)


def enrolment_redirect(request: HttpRequest) -> HttpResponse | None:
    """Where a signed-in user who has not finished 2FA must go first, if anywhere."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if not hasattr(user, "is_verified"):
        raise ImproperlyConfigured(
            "OTPEnforcementMiddleware needs django_otp.middleware.OTPMiddleware before it "
            "in MIDDLEWARE (see prodready_security.E022)."
        )
    if user.is_verified() or is_exempt(request):
        return None
    if _is_enrolled(user):
        target = "prodready_otp:verify"
    elif otp_required(user):
        target = "prodready_otp:setup"
    else:
        return None
    query = urlencode({"next": request.get_full_path()})
    return HttpResponseRedirect(f"{reverse(target)}?{query}")


def _is_enrolled(user: Any) -> bool:
    """``devices.is_enrolled``, remembered in the shared cache like the verified device:
    a user without 2FA costs no database query per request (nor, with Redis, a round
    trip once this process keeps the answer). Saving or deleting one of their devices
    forgets it (``device_cache.forget``)."""
    seconds = conf.OTP_DEVICE_CACHE_SECONDS
    if not seconds:
        return devices.is_enrolled(user)
    enrolled = device_cache.cached_enrolment(user.pk, seconds)
    if enrolled is None:
        enrolled = devices.is_enrolled(user)
        device_cache.remember_enrolment(user.pk, enrolled, seconds)
    return enrolled
