"""Whose confirmed 2FA device is trusted without a database query, for how long.

``middleware.VerifiedDeviceMiddleware`` asks :func:`cached_owner` before loading the
session's device, and :func:`remember` once it has loaded a confirmed one: the entry
names the device's owner for ``PRODREADY_OTP_DEVICE_CACHE_SECONDS``. Saving or deleting
a device forgets it at once (:func:`forget`, connected to every device model), so the
next request loads it again. Only a change that bypasses signals, such as
``QuerySet.update()``, waits for the entry to expire.

The entries live in the ``default`` cache: it must be one every process shares
(Redis), or a device removed in one process stays trusted in the others until expiry.
With Redis, each process also keeps the answers and drops them when any process saves
or deletes the device (``device_memo``), so a signed-in request asks Redis nothing.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django_otp.models import Device

from prodready.conf import derived_from
from prodready_security.otp import device_memo
from prodready_security.ratelimit.store import raw_redis_client

logger = logging.getLogger(__name__)

KEY_PREFIX = "prodready:otp:device:"
ENROLLED_PREFIX = "prodready:otp:enrolled:"


def cached_owner(persistent_id: str, seconds: float) -> Any:
    """The pk of the user whose confirmed device this is, if remembered; else None.

    This process keeps the answer (``device_memo``) until the entry expires, and for
    at most ``seconds``.
    """
    return _read(KEY_PREFIX + persistent_id, seconds)


def remember(persistent_id: str, user_pk: Any, seconds: float) -> None:
    _write(KEY_PREFIX + persistent_id, user_pk, seconds)


def cached_enrolment(user_pk: Any, seconds: float) -> bool | None:
    """Whether the user has a confirmed device, if remembered; else None (kept like
    :func:`cached_owner`)."""
    found = _read(ENROLLED_PREFIX + str(user_pk), seconds)
    return found if isinstance(found, bool) else None


def remember_enrolment(user_pk: Any, enrolled: bool, seconds: float) -> None:
    _write(ENROLLED_PREFIX + str(user_pk), enrolled, seconds)


def _read(key: str, seconds: float) -> Any:
    memo = device_memo.memo
    found = memo.get(key)
    if found is not None:
        return found
    epoch = memo.epoch  # before the read: an announcement during it wins
    try:
        entry = cache.get(key)
    except Exception:  # the cache is down: ask the database, as django-otp does
        logger.warning("2FA device cache unreadable; asking the database", exc_info=True)
        return None
    # A list when the cache serialises to JSON (django-redis's JSONSerializer).
    if not isinstance(entry, tuple | list) or len(entry) != 2:
        return entry  # None, or an entry from before entries carried their expiry
    value, expires = entry
    announcements = _announcements()
    if announcements is not None:
        memo.start(*announcements)
        memo.keep(key, value, min(seconds, expires - time.time()), epoch)
    return value


def _write(key: str, value: Any, seconds: float) -> None:
    # With its expiry: a process that keeps the answer keeps it no longer than the entry.
    try:
        cache.set(key, (value, time.time() + seconds), seconds)
    except Exception:
        logger.warning("2FA device cache unwritable", exc_info=True)


@derived_from("CACHES")
def _announcements() -> tuple[Any, str] | None:
    """The Redis client and channel of the device announcements; None unless Redis."""
    default = caches[DEFAULT_CACHE_ALIAS]  # the backend itself, not the proxy ``cache``
    client = raw_redis_client(default)
    return None if client is None else (client, default.make_key(device_memo.CHANNEL))


def forget(sender: type, instance: Any, **kwargs: Any) -> None:
    """``post_save``/``post_delete`` receiver for every device model: trust it no longer
    until it is loaded again, nor what was remembered of its owner's enrolment."""
    if isinstance(instance, Device) and instance.pk is not None:
        keys = [KEY_PREFIX + instance.persistent_id, ENROLLED_PREFIX + str(instance.user_id)]
        for key in keys:
            device_memo.memo.announced(key)  # in this process, at once
        try:
            cache.delete_many(keys)
            announcements = _announcements()
            if announcements is not None:  # and in every other process, once it hears it
                client, channel = announcements
                pipeline = client.pipeline(transaction=False)
                for key in keys:
                    pipeline.publish(channel, key)
                pipeline.execute()
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
