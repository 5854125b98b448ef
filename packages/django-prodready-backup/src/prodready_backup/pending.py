"""Backups and verifications requested from the site: one at a time, and not too often.

A request claims each of its targets in the shared cache (PRODREADY_BACKUP_LOCK_CACHE)
until its job has run; another request for a claimed target, or for a target whose
backup is running (its lock is held), is refused. After a request is accepted, the same
user may not make another of the same kind for PRODREADY_BACKUP_REQUEST_COOLDOWN
seconds. A claim left by a worker that died expires with PRODREADY_BACKUP_LOCK_TIMEOUT,
as a cache lock does. The schedule and ``manage.py backup`` are not limited.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from django.core.cache import BaseCache, caches
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from prodready_backup.conf import conf
from prodready_backup.errors import LockHeld, RefusedError
from prodready_backup.lock import target_lock

Job = Literal["backup", "verify"]


class RequestRefused(RefusedError):
    """A request from the site that must wait; the message says for what."""


def _cache() -> BaseCache:
    return caches[conf.BACKUP_LOCK_CACHE]


def _claim_key(job: Job, target: str) -> str:
    return f"prodready_backup:pending:{job}:{target}"


def _cooldown_key(job: Job, user: Any) -> str:
    return f"prodready_backup:cooldown:{job}:{user.pk}"


def claim(job: Job, targets: list[str], user: Any) -> None:
    """Claim ``targets`` for ``job`` on behalf of ``user``, or raise :class:`RequestRefused`."""
    cache = _cache()
    now = timezone.now()
    cooldown = timedelta(seconds=conf.BACKUP_REQUEST_COOLDOWN)
    last = cache.get(_cooldown_key(job, user))
    if isinstance(last, datetime) and last + cooldown > now:
        raise RequestRefused(
            _("You asked for this a moment ago; you can ask again at %(time)s.")
            % {"time": _time(last + cooldown)}
        )
    claimed: list[str] = []
    try:
        for target in targets:
            if job == "backup":
                _refuse_if_running(target)
            value = {"by": user.get_username(), "at": now}
            if not cache.add(_claim_key(job, target), value, timeout=conf.BACKUP_LOCK_TIMEOUT):
                raise _already_requested(job, target, cache.get(_claim_key(job, target)))
            claimed.append(target)
    except RequestRefused:
        for target in claimed:
            release(job, target)
        raise
    if cooldown:
        cache.set(_cooldown_key(job, user), now, conf.BACKUP_REQUEST_COOLDOWN)


def release(job: Job, target: str) -> None:
    """The requested job of ``target`` has run (or failed): it may be requested again."""
    _cache().delete(_claim_key(job, target))


def _refuse_if_running(target: str) -> None:
    try:
        with target_lock(target):
            pass
    except LockHeld:
        raise RequestRefused(
            _("A backup of %(target)s is running now; its outcome will show in the history.")
            % {"target": target}
        ) from None


def _already_requested(job: Job, target: str, value: Any) -> RequestRefused:
    by = value.get("by", "") if isinstance(value, dict) else ""
    at = value.get("at") if isinstance(value, dict) else None
    when = _time(at) if isinstance(at, datetime) else "?"
    if job == "backup":
        text = _(
            "A backup of %(target)s was requested by %(user)s at %(time)s and has not "
            "finished yet; its outcome will show in the history."
        )
    else:
        text = _(
            "A verification of %(target)s was requested by %(user)s at %(time)s and has "
            "not finished yet; its outcome will show in the history."
        )
    return RequestRefused(text % {"target": target, "user": by or "?", "time": when})


def _time(moment: datetime) -> str:
    return time_format(timezone.localtime(moment), "H:i:s")
