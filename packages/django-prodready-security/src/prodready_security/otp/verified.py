"""Who has verified with a second factor, without a database query on every request.

A drop-in for django-otp's ``OTPMiddleware``, in the same place in ``MIDDLEWARE``::

    ("django.contrib.auth.middleware.AuthenticationMiddleware",)
    ("prodready_security.otp.verified.VerifiedDeviceMiddleware",)
    ("prodready_security.otp.middleware.OTPEnforcementMiddleware",)

Like django-otp's, it gives ``request.user`` an ``otp_device`` (the device the session
verified with, or None) and ``is_verified()``, on ``request.auser()`` too. django-otp
loads that device from the database on every request, so that a removed or
unconfirmed device ends the verification of every session at once. This middleware
keeps that promise with a cache read instead: once it has loaded a confirmed device,
it remembers whose it is for ``PRODREADY_OTP_DEVICE_CACHE_SECONDS``, and saving or
deleting a device forgets it at once (signals), so the next request loads it again.
Only a change that bypasses signals, such as ``QuerySet.update()``, waits for the
entry to expire. ``user.otp_device`` itself is loaded when first used.

The entries live in the ``default`` cache: it must be one every process shares
(Redis), or a device removed in one process stays trusted in the others until expiry.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import is_verified
from django_otp.models import Device

from prodready_security.conf import conf

logger = logging.getLogger(__name__)

DOTTED_PATH = "prodready_security.otp.verified.VerifiedDeviceMiddleware"
KEY_PREFIX = "prodready:otp:device:"


class VerifiedDeviceMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(
        self, get_response: Callable[[HttpRequest], HttpResponse | Awaitable[HttpResponse]]
    ) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self._acall(request)
        _install(request)
        return self.get_response(request)

    async def _acall(self, request: HttpRequest) -> Any:
        _install(request)
        return await self.get_response(request)  # type: ignore[misc]


def _install(request: HttpRequest) -> None:
    user = getattr(request, "user", None)
    if user is not None:
        request.user = SimpleLazyObject(functools.partial(_verified, request, user))  # type: ignore[assignment]
    auser = getattr(request, "auser", None)
    if auser is not None:
        request.auser = functools.partial(_averified, request, auser)


async def _averified(request: HttpRequest, auser: Callable[[], Awaitable[Any]]) -> Any:
    user = await auser()
    # The session, the cache and the database are read with blocking calls.
    return await sync_to_async(_verified)(request, user)


def _verified(request: HttpRequest, user: Any) -> Any:
    user.otp_device = None
    user.is_verified = functools.partial(is_verified, user)
    if user.is_authenticated:
        user.otp_device = _device(request, user)
    return user


def _device(request: HttpRequest, user: Any) -> Any:
    """The session's device if it is a confirmed device of ``user``, else None."""
    persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
    if not isinstance(persistent_id, str) or not persistent_id:
        return None
    seconds = conf.OTP_DEVICE_CACHE_SECONDS
    if seconds and _cached_owner(persistent_id) == user.pk:
        return SimpleLazyObject(functools.partial(Device.from_persistent_id, persistent_id))
    device = Device.from_persistent_id(persistent_id)
    if device is None or device.user_id != user.pk or not device.confirmed:
        del request.session[DEVICE_ID_SESSION_KEY]
        return None
    if seconds:
        _remember(persistent_id, user.pk, seconds)
    return device


def _cached_owner(persistent_id: str) -> Any:
    try:
        return cache.get(KEY_PREFIX + persistent_id)
    except Exception:  # the cache is down: ask the database, as django-otp does
        logger.warning("2FA device cache unreadable; loading the device", exc_info=True)
        return None


def _remember(persistent_id: str, user_pk: Any, seconds: float) -> None:
    try:
        cache.set(KEY_PREFIX + persistent_id, user_pk, seconds)
    except Exception:
        logger.warning("2FA device cache unwritable", exc_info=True)


def forget(sender: type, instance: Any, **kwargs: Any) -> None:
    """``post_save``/``post_delete`` receiver for every device model: trust it no longer
    until it is loaded again."""
    if isinstance(instance, Device) and instance.pk is not None:
        try:
            cache.delete(KEY_PREFIX + instance.persistent_id)
        except Exception:
            logger.exception(
                "Could not drop %s from the 2FA device cache; it stays trusted for up to "
                "PRODREADY_OTP_DEVICE_CACHE_SECONDS",
                instance.persistent_id,
            )


def connect() -> None:
    """Connect :func:`forget` to every concrete device model (``AppConfig.ready``)."""
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save

    for model in apps.get_models():
        if issubclass(model, Device):
            uid = f"prodready-otp-device-cache-{model._meta.label}"
            post_save.connect(forget, sender=model, dispatch_uid=uid + "-save")
            post_delete.connect(forget, sender=model, dispatch_uid=uid + "-delete")
