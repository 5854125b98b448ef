"""A per-process, thread-safe cache of one value where concurrent misses share one computation.

A storm of probes arriving when the cached report expires must cause one run of
the checks, not one per probe: the first caller computes, the others wait for
its result ("single flight"). There is no clear(): to start afresh, drop the cache
(the health runner keeps its own as a ``derived_from`` value).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class _Flight(Generic[T]):
    """One computation in progress, awaited by every caller that arrived during it."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: T | None = None
        self.error: BaseException | None = None


class SingleFlightCache(Generic[T]):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value: T | None = None
        self._stored_at = 0.0
        self._flight: _Flight[T] | None = None

    def get(self, compute: Callable[[], T], max_age: float) -> T:
        """The cached value if younger than ``max_age`` seconds, else a fresh one."""
        with self._lock:
            if self._value is not None and time.monotonic() - self._stored_at < max_age:
                return self._value
            flight = self._flight
            leader = flight is None
            if flight is None:
                flight = self._flight = _Flight()
        if leader:
            self._lead(flight, compute)
        else:
            flight.done.wait()
        if flight.error is not None:
            raise flight.error
        assert flight.value is not None
        return flight.value

    def _lead(self, flight: _Flight[T], compute: Callable[[], T]) -> None:
        try:
            flight.value = compute()
        except BaseException as exc:
            flight.error = exc
        finally:
            with self._lock:
                if self._flight is flight:
                    self._flight = None
                if flight.value is not None:
                    self._value = flight.value
                    self._stored_at = time.monotonic()
            flight.done.set()
