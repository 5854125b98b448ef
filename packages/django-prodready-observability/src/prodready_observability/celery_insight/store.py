"""Celery task counts in a cache every process shares, for the Celery card and page.

Each process (web, or every worker child) adds up its finished tasks in memory and adds
them to the cache at most every ``FLUSH_SECONDS``, with the cache's atomic ``incr``, so
counts from every process add up and a task costs no cache round trip. An idle worker
child flushes from a timer, and when it shuts down.

Per minute, each writing process takes a slot number from an atomic counter and writes
the task names it saw to its own key, so no two processes rewrite one list. At most
``PRODREADY_METRICS_MAX_TASK_NAMES`` names per process are kept apart (the others, and
names no cache key can hold, count as ``<other>``). The last run and the latest error
of each task name are kept for ``KEEP_LATEST_SECONDS``: a nightly task's last run must
outlive the hour of counts.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, field

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache

from prodready.breaker import breaker
from prodready_observability.analytics.store import _add
from prodready_observability.conf import conf
from prodready_observability.metrics.cache_counting import uncounted

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 5.0
KEEP_MINUTES = 65
KEEP_LATEST_SECONDS = 8 * 24 * 3600
PREFIX = "prodready:celery:v1"
OTHER = "<other>"
OUTCOMES = ("success", "failure", "retry")
_INDEX = {outcome: index for index, outcome in enumerate(OUTCOMES)}
# What a cache key (memcached's too) can hold without a warning.
_KEYABLE = re.compile(r"[\w.:\-@]{1,150}")


@dataclass
class _Minute:
    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    # name -> [success, failure, retry, runtime µs]
    tasks: dict[str, list[int]] = field(default_factory=dict)


class TaskRecorder:
    """One process's task counts not yet in the cache."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[int, _Minute] = {}
        self._last_runs: dict[str, tuple[float, str]] = {}
        self._errors: dict[str, tuple[float, str]] = {}
        self._names: set[str] = set()
        self._slots: dict[int, tuple[int, set[str]]] = {}  # minute -> (slot, names written)
        self._timer: threading.Timer | None = None
        self._flushed_at = time.monotonic()

    def bounded_name(self, name: str) -> str:
        """``name``, or ``<other>`` once this process has kept the maximum apart."""
        if name in self._names:
            return name
        if not _KEYABLE.fullmatch(name) or len(self._names) >= conf.METRICS_MAX_TASK_NAMES:
            return OTHER
        self._names.add(name)
        return name

    def record(self, name: str, outcome: str, duration: float, now: float | None = None) -> None:
        now = time.time() if now is None else now
        minute = int(now // 60)
        with self._lock:
            name = self.bounded_name(name)
            counts = self._pending.get(minute)
            if counts is None:
                counts = self._pending[minute] = _Minute()
            per_task = counts.tasks.get(name)
            if per_task is None:
                per_task = counts.tasks[name] = [0, 0, 0, 0]
            index = _INDEX.get(outcome)
            if index is not None:
                counts.totals[outcome] += 1
                per_task[index] += 1
            per_task[3] += int(duration * 1_000_000)
            self._last_runs[name] = (now, outcome)
            due = len(self._pending) > 1 or time.monotonic() - self._flushed_at >= FLUSH_SECONDS
            if not due and self._timer is None:
                # An idle worker child would otherwise keep its counts until its next task.
                self._timer = threading.Timer(FLUSH_SECONDS, self._flush_on_timer)
                self._timer.daemon = True
                self._timer.start()
        if due:
            self.flush()

    def _flush_on_timer(self) -> None:
        try:
            self.flush()
        except Exception:  # an unusable setting: say so rather than end the timer's thread
            logger.exception("Celery task counts could not be flushed")

    def record_error(self, name: str, error: str, now: float | None = None) -> None:
        """``error`` must already be scrubbed: it is shown to staff as it is."""
        with self._lock:
            self._errors[self.bounded_name(name)] = (time.time() if now is None else now, error)

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
            last_runs, self._last_runs = self._last_runs, {}
            errors, self._errors = self._errors, {}
            self._flushed_at = time.monotonic()
            self._timer = None
        alias = conf.ANALYTICS_CACHE  # read after the timer is cleared: a bad value stops no timer
        if alias is None or not (pending or last_runs or errors):
            return
        # The analytics store's breaker: one cache, so one timeout per interval for both,
        # never one per flush on a worker's task thread. Counts made meanwhile are dropped:
        # the cards cannot show them while the cache is down, and Prometheus still counts.
        state = breaker(f"the analytics cache {alias!r}")
        if not state.allow():
            return
        try:
            cache = caches[alias]
            for minute, counts in pending.items():
                self._write_minute(cache, minute, counts)
            with uncounted():  # the store's own reads are not the site's
                _keep_newest(cache, "last", last_runs)
                _keep_newest(cache, "error", errors)
        except Exception as exc:
            state.failed(exc)
            logger.exception("Celery task counts could not be written to cache %r", alias)
        else:
            state.succeeded()

    def _write_minute(self, cache: BaseCache, minute: int, counts: _Minute) -> None:
        for outcome, count in counts.totals.items():
            _add(cache, key(minute, outcome), count)
        for name, values in counts.tasks.items():
            for index, what in enumerate((*OUTCOMES, "us")):
                _add(cache, key(minute, f"t:{name}:{what}"), values[index])
        slot, written = self._slots.get(minute, (0, set()))
        if not slot:
            slot = _next_slot(cache, key(minute, "writers"))
            # Only the current minute's slot is needed again.
            self._slots = {m: s for m, s in self._slots.items() if m >= minute}
        names = written | set(counts.tasks)
        if names != written:
            cache.set(key(minute, f"names:{slot}"), sorted(names), KEEP_MINUTES * 60)
        self._slots[minute] = (slot, names)


def _next_slot(cache: BaseCache, counter: str) -> int:
    """A number no other process gets for ``counter``: ``add`` and ``incr`` are atomic."""
    if cache.add(counter, 1, KEEP_MINUTES * 60):
        return 1
    try:
        return int(cache.incr(counter))
    except ValueError:  # expired between add and incr
        cache.add(counter, 1, KEEP_MINUTES * 60)
        return 1


def _keep_newest(cache: BaseCache, kind: str, latest: dict[str, tuple[float, str]]) -> None:
    """Write each name's entry unless another process has written a newer one."""
    if not latest:
        return
    keys = {name: key(None, f"{kind}:{name}") for name in latest}
    stored = cache.get_many(list(keys.values()))
    newer = {
        keys[name]: entry
        for name, entry in latest.items()
        if not isinstance(found := stored.get(keys[name]), (list, tuple)) or found[0] < entry[0]
    }
    if newer:
        cache.set_many(newer, KEEP_LATEST_SECONDS)


def key(minute: int | None, name: str) -> str:
    return f"{PREFIX}:{name}" if minute is None else f"{PREFIX}:{minute}:{name}"


recorder = TaskRecorder()
