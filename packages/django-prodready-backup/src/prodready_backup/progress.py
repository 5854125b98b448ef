"""How far a run has got, and a throttle that reports it at most once per interval.

Backups count bytes in :class:`Counters`; passes that read a stored backup back
(verify, restore) count them in :class:`Reading`. The caller's callback decides what to
print; the throttle only decides when, so a clock read per piece is all it costs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar


@dataclass
class Counters:
    """What the backup pipeline has done so far."""

    source_bytes: int = 0
    stored_bytes: int = 0
    sha256: str = ""
    started: float = field(default_factory=time.monotonic)


@dataclass
class Reading:
    """How far a pass over a stored backup has got.

    ``what`` names the pass: "check" (checksum and tags), "restore test" or "restore";
    ``total_bytes`` is the stored object's size from its manifest.
    """

    backup_id: str
    what: str
    total_bytes: int
    read_bytes: int = 0
    started: float = field(default_factory=time.monotonic)


ProgressCallback = Callable[[Counters], None]
ReadingCallback = Callable[[Reading], None]

State = TypeVar("State")


class Throttle(Generic[State]):
    """Calls ``callback(state)`` from :meth:`tick` at most once every ``every`` seconds."""

    def __init__(
        self, callback: Callable[[State], None] | None, state: State, every: float
    ) -> None:
        self._callback = callback
        self._state = state
        self._every = every
        self._next = time.monotonic() + every

    def tick(self) -> None:
        if self._callback is None:
            return
        now = time.monotonic()
        if now >= self._next:
            self._next = now + self._every
            self._callback(self._state)
