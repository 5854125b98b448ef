"""Leases: counts a process reserves from a shared counter at once and hands out locally.

A rule far from its limit need not ask Redis about every request. The counting script
may reserve several counts in its one atomic step (a lease), and this process then lets
that many further requests of the same counter through without a round trip. The script
never reserves past the limit, and sizes a lease at 1/``SHARE`` of the headroom left, at
most ``PRODREADY_RATELIMIT_LEASE_MAX``: it shrinks to one request as the count nears the
limit, so the limit is never exceeded across processes.

A lease belongs to one counter, and a counter's name holds its window, so a lease is
never spent in the next window; it is dropped once its window is over. Leases are kept
per process and shared by its threads under a lock; a forked child starts with none
(spending its parent's would count them twice). Counts reserved and never spent (the
process exits, or no more requests of that counter reach it) were counted for requests
that never came: they make the limit stricter in that window, never looser.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque

from prodready.conf import derived_from

# A lease is at most 1/SHARE of the headroom: a rule below 200 requests per window never
# leases, and no lease left unspent withholds more than 1% of what was left of the limit.
SHARE = 100
# Counters with an unspent lease kept per process; past it, ended windows' go first.
MAX_HELD = 10_000
# A lease was taken from the counters of one cache and sized for the limit then in force.
BOOK_SETTINGS = (
    "CACHES",
    "PRODREADY_RATELIMIT_CACHE",
    "PRODREADY_RATELIMIT_LEASE_MAX",
    "PRODREADY_RATELIMIT_RULES",
)


class _Lease:
    __slots__ = ("counts", "ends")

    def __init__(self, ends: float) -> None:
        self.counts: deque[range] = deque()  # reserved, not yet handed out
        self.ends = ends  # monotonic time the counter's window is over


class LeaseBook:
    """The unspent leases of this process, by counter key (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._leases: dict[str, _Lease] = {}

    def spend(self, key: str) -> int | None:
        """One more request's count from ``key``'s lease; None when no lease is left."""
        with self._lock:
            lease = self._leases.get(key)
            if lease is None:
                return None
            counts = lease.counts[0]
            if len(counts) > 1:
                lease.counts[0] = counts[1:]
            elif len(lease.counts) > 1:
                lease.counts.popleft()
            else:
                del self._leases[key]
            return counts[0]

    def keep(self, key: str, counts: range, seconds: float) -> None:
        """Hold ``counts`` of ``key``'s counter, whose window is over in ``seconds``."""
        if not counts:
            return
        now = time.monotonic()
        with self._lock:
            lease = self._leases.get(key)
            if lease is None:
                if len(self._leases) >= MAX_HELD:
                    self._make_room(now)
                lease = self._leases[key] = _Lease(now + seconds)
            # Another thread may hold counts of this key too: each count is handed out once.
            lease.counts.append(counts)

    def held(self) -> int:
        """Counters with an unspent lease."""
        with self._lock:
            return len(self._leases)

    def _make_room(self, now: float) -> None:
        for key in [key for key, lease in self._leases.items() if lease.ends <= now]:
            del self._leases[key]
        # Still full: drop the oldest. Their counts stay counted, so the limit only tightens.
        while len(self._leases) >= MAX_HELD:
            del self._leases[next(iter(self._leases))]


@derived_from(*BOOK_SETTINGS)
def book() -> LeaseBook:
    """This process's leases, dropped when the counters' cache or the limits change."""
    return LeaseBook()


# A forked child starts afresh: spending its parent's leases would count them twice.
os.register_at_fork(after_in_child=book.forget)
