"""Circuit breakers: a dependency that just failed is not asked again for a while.

A hung Redis costs a socket timeout per call, and a page makes several calls. After a
failure the dependency's breaker opens: for ``PRODREADY_BREAKER_SECONDS`` every call
fails at once, then one call is let through to try it again. Its success closes the
breaker, its failure opens it for another interval. So a dependency that is down costs
one timeout per process per interval, never one per request, and each caller applies
its own fail-open or fail-closed policy at once.

Breakers live in the process (each gunicorn worker learns of an outage on its own) and
are keyed by a name that identifies the dependency, such as ``redis://host:port``, so
every client of one server shares one breaker.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from prodready.conf import conf

logger = logging.getLogger("prodready.breaker")


class CircuitBreaker:
    def __init__(self, name: str) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._open_until = 0.0  # time.monotonic() when the next try is due; 0: closed
        self._opened_at = 0.0
        self.last_error = ""

    @property
    def is_open(self) -> bool:
        return self._open_until != 0.0

    def allow(self) -> bool:
        """Whether a call may go to the dependency now (always, while closed)."""
        if not self._open_until:  # the common case, without the lock
            return True
        with self._lock:
            if not self._open_until:
                return True
            now = time.monotonic()
            if now < self._open_until:
                return False
            # This call is the try; the others keep failing fast until it reports
            # (or, should it never report, until the next interval).
            self._open_until = now + conf.BREAKER_SECONDS
            return True

    def succeeded(self) -> None:
        if not self._open_until:
            return
        with self._lock:
            if not self._open_until:
                return
            self._open_until = 0.0
            down_for = time.monotonic() - self._opened_at
        logger.warning("%s answers again after %.1f s; calls go through.", self.name, down_for)

    def failed(self, error: BaseException) -> None:
        seconds = conf.BREAKER_SECONDS
        with self._lock:
            opening = not self._open_until
            now = time.monotonic()
            self._open_until = now + seconds
            if opening:
                self._opened_at = now
            self.last_error = f"{type(error).__name__}: {error}"
        if opening:
            logger.error(
                "%s failed (%s); calls to it fail at once, and one call tries it again "
                "every %g s (PRODREADY_BREAKER_SECONDS).",
                self.name,
                self.last_error,
                seconds,
            )

    def refusal(self) -> str:
        """What a call refused by the open breaker tells its caller."""
        return (
            f"{self.name} is skipped for up to {conf.BREAKER_SECONDS:g} s after it failed "
            f"({self.last_error})"
        )


_registry_lock = threading.Lock()
_breakers: dict[str, CircuitBreaker] = {}


def breaker(name: str) -> CircuitBreaker:
    """The process's breaker for the dependency called ``name``."""
    found = _breakers.get(name)
    if found is None:
        with _registry_lock:
            found = _breakers.setdefault(name, CircuitBreaker(name))
    return found


def reset() -> None:
    """Forget every breaker (a forked child starts with none, as do tests)."""
    global _registry_lock
    _registry_lock = threading.Lock()
    _breakers.clear()


os.register_at_fork(after_in_child=reset)
