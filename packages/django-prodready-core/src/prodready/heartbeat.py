"""The scheduler's heartbeat: proof that Celery beat is running the periodic tasks.

``prodready.schedule.connect(app)`` gives beat one more entry, a task published every
minute. Each time beat publishes it, beat's own process stamps the time in the default
cache. Health, readiness and the dashboard read the stamp, so a schedule is claimed only
while something runs it.

Why the cache and not a table: beat, workers and web processes all reach it, core needs
no migration, and production shares it anyway (``prodready.R002``). With a cache that
lives inside each process (local memory) the stamp cannot be seen, and the status says so.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches

logger = logging.getLogger(__name__)

TASK = "prodready.heartbeat"
CRON = "* * * * *"
CACHE_KEY = "prodready:scheduler:heartbeat"
# Three missed minutes: beat wakes for the entry every minute, give or take a second.
MAX_AGE_SECONDS = 180.0
# Kept long after beat stops, so the status can say how long ago it was last seen.
KEEP_SECONDS = 7 * 24 * 3600
PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)
START_BEAT = (
    "start Celery beat (celery -A <your project> beat) on the Celery app where "
    "prodready.schedule.connect(app) is called"
)


@dataclass(frozen=True)
class SchedulerStatus:
    """Whether a scheduler runs the periodic tasks, and a sentence saying why (not)."""

    running: bool
    message: str
    last_seen: datetime | None = None


def stamp() -> None:
    """Record that beat is alive now (called in beat's process)."""
    caches[DEFAULT_CACHE_ALIAS].set(CACHE_KEY, time.time(), timeout=KEEP_SECONDS)


def scheduler_status() -> SchedulerStatus:
    """Read the heartbeat; never raises (a cache that cannot be read is said so)."""
    try:
        seen = caches[DEFAULT_CACHE_ALIAS].get(CACHE_KEY)
    except Exception as exc:
        logger.warning("Could not read the scheduler heartbeat from the cache", exc_info=True)
        return SchedulerStatus(
            False, f"the heartbeat cannot be read: the cache failed ({type(exc).__name__})"
        )
    if not isinstance(seen, (int, float)):
        return SchedulerStatus(False, _never_seen())
    last_seen = datetime.fromtimestamp(seen, tz=UTC)
    age = max(0.0, time.time() - seen)
    if age > MAX_AGE_SECONDS:
        return SchedulerStatus(
            False,
            f"no heartbeat from Celery beat for {_duration(age)}: {START_BEAT}",
            last_seen,
        )
    return SchedulerStatus(True, f"Celery beat's last heartbeat was {age:.0f} s ago", last_seen)


def _never_seen() -> str:
    backend = str(settings.CACHES.get(DEFAULT_CACHE_ALIAS, {}).get("BACKEND", ""))
    if backend in PER_PROCESS_CACHES:
        # Beat would stamp its own memory: no other process could ever see it.
        return (
            f"no heartbeat from Celery beat can be seen: CACHES['default'] uses "
            f"{backend.rsplit('.', 1)[-1]}, which each process keeps to itself; use a shared "
            "cache (Redis, say) and " + START_BEAT
        )
    return f"no heartbeat from Celery beat yet: {START_BEAT}"


def _duration(seconds: float) -> str:
    minutes = seconds / 60
    if minutes < 90:
        return f"{minutes:.0f} min"
    hours = minutes / 60
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.0f} days"
