"""Failed logins per minute, for the anomaly detector (hook ``prodready_time_series``).

Each failed login adds one to a per-minute counter in the default cache (one ``add``,
or an ``incr`` when the minute already has one): nothing else is stored, and the
counters expire by themselves after two hours.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.utils.translation import gettext

from prodready import TimeSeries

logger = logging.getLogger(__name__)

PREFIX = "prodready:security:failed-logins:v1"
KEEP_SECONDS = 2 * 3600
# Fewer extra failures a minute than this are typos, not an attack.
MIN_CHANGE = 10.0


def _key(minute: int) -> str:
    return f"{PREFIX}:{minute}"


def count(sender: Any = None, now: float | None = None, **kwargs: Any) -> None:
    """Receiver of ``user_login_failed``; a cache that fails costs the count, not the login."""
    key = _key(int((time.time() if now is None else now) // 60))
    try:
        cache = caches[DEFAULT_CACHE_ALIAS]
        if not cache.add(key, 1, KEEP_SECONDS):
            cache.incr(key)
    except Exception:
        logger.warning("A failed login could not be counted in the cache", exc_info=True)


def connect() -> None:
    from django.contrib.auth.signals import user_login_failed

    user_login_failed.connect(count, dispatch_uid="prodready-security-failed-login-series")


def points(start: int, end: int) -> Iterable[tuple[int, float]]:
    """Failed logins in each minute of ``[start, end)``, zero where none was counted."""
    minutes = range(start, end)
    found = caches[DEFAULT_CACHE_ALIAS].get_many([_key(minute) for minute in minutes])
    return [(minute, float(found.get(_key(minute)) or 0)) for minute in minutes]


def failed_login_series() -> TimeSeries:
    return TimeSeries(
        name="security.failed_logins",
        label=gettext("Failed logins"),
        unit=gettext("logins/min"),
        points=points,
        min_change=MIN_CHANGE,
    )
