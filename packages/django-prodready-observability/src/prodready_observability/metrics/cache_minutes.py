"""This process's cache reads not yet written to the dashboard's stores.

The counters of ``cache_counting`` hold the process's totals. Each store takes their
increase since its own last take: the analytics store (``analytics.store``) at each flush,
every 5 seconds while requests come and before a card reads, adding it to the current
minute; the request history (``history.maintenance``) at each of its writes, adding it to
the current hour. Both add up with every other process's, so they hold the site's reads.
"""

from __future__ import annotations

import threading

from prodready_observability.metrics.definitions import CACHE_GETS

Reads = dict[tuple[str, str], int]  # (alias, "hit" or "miss") -> reads


class Unwritten:
    """The reads one store has not taken yet."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._taken: dict[tuple[str, str], float] = {}  # counter -> its total at the last take

    def take(self) -> Reads:
        """The reads counted since the last take; none gives ``{}``."""
        increase: Reads = {}
        with self._lock:
            for metric in CACHE_GETS.collect():
                for sample in metric.samples:
                    if not sample.name.endswith("_total"):
                        continue
                    counter = (sample.labels["alias"], sample.labels["result"])
                    before = self._taken.get(counter, 0.0)
                    # Lower than before: a forked child's counters started again from 0.
                    grown = sample.value - before if sample.value >= before else sample.value
                    if grown:
                        increase[counter] = int(grown)
                    self._taken[counter] = sample.value
        return increase

    def put_back(self, reads: Reads) -> None:
        """Give back what a write took and could not use, for the next take."""
        with self._lock:
            for counter, count in reads.items():
                self._taken[counter] = self._taken.get(counter, 0.0) - count


for_store = Unwritten()
for_history = Unwritten()


def name(alias: str, result: str) -> str:
    """The analytics store's per-minute key name for ``alias``'s hits or misses."""
    return f"cache:{alias}:{result}"
