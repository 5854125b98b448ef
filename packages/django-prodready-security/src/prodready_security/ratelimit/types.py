"""What every rate-limit store shares: the interface, its values and its one error.

``store`` chooses a store; ``redis_store`` and ``cache_store`` implement this
interface. Kept apart so that neither implementation imports the module that
imports them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

# The logical name of the hash (Redis) or dict (other caches) of shared metric counts.
METRICS_NAME = "prodready:rl:metrics"


class StoreUnavailable(Exception):
    """The cache holding the counters cannot be reached (or failed while answering)."""


@dataclass(frozen=True)
class LoginKeys:
    """The three entries of one lockout scope (a username or an address)."""

    failures: str
    lock: str
    level: str


@dataclass(frozen=True)
class LoginFailure:
    """The state of a scope after a failed login was recorded."""

    failures: int  # failures now counted in the window (0 if it was already locked)
    locked_for: float  # seconds the scope stays locked (0: not locked)
    started: bool  # this failure started the lockout
    level: int  # lockouts in a row, 1 for the first (0: not locked)


@dataclass(frozen=True)
class SlowKeys:
    """The two entries of a slowed username: its failures, and one address's wait."""

    failures: str  # the username's failures, from every address
    wait: str  # set while this address must wait before its next attempt


@dataclass(frozen=True)
class LoginDelay:
    """The state of a username after a failed login was recorded."""

    failures: int  # failures of the username now counted in the window
    wait: float  # seconds this address must wait before its next attempt (0: none)
    started: bool  # this failure took the username past its rate


class Store(Protocol):
    def hit(self, name: str, ttl: int, limit: int, metric: str) -> int:
        """Count one request; its count (above ``limit``: refused, and ``metric`` bumped).

        A store may reserve several counts at once while far from ``limit`` and hand them
        out to later calls without asking the cache (a lease); every count is handed out
        once, and no count above ``limit`` is ever reserved ahead."""

    def login_failed(
        self, keys: LoginKeys, limit: int, window: int, base: float, maximum: float, metric: str
    ) -> LoginFailure:
        """Count a failed login; lock the scope for an escalating time at ``limit``."""

    def login_slowed(
        self, keys: SlowKeys, limit: int, window: int, base: float, maximum: float, metric: str
    ) -> LoginDelay:
        """Count a username's failed login; from ``limit`` on, make the address wait a
        delay that doubles with each further failure of the username."""

    def locked_for(self, locks: Sequence[str]) -> float:
        """Seconds until the longest of these locks ends (0: none is locked)."""

    def clear(self, names: Sequence[str]) -> None:
        """Forget these entries."""

    def metrics(self) -> dict[str, int]:
        """Shared counts of blocked requests and lockouts, by metric field."""

    def note(self, register: str, field: str, value: str, ttl: int) -> None:
        """Set ``field`` of the ``register`` mapping, which lives ``ttl`` seconds more."""

    def notes(self, register: str) -> dict[str, str]:
        """Every field of the ``register`` mapping."""

    def unnote(self, register: str, fields: Sequence[str]) -> None:
        """Remove these fields of the ``register`` mapping."""
