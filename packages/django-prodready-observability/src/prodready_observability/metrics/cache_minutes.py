"""This process's cache reads not yet in the analytics store, for the cache card.

The counters of ``cache_counting`` hold the process's totals. Each flush of the analytics
store (``analytics.store``: every 5 seconds while requests come, and before a card reads)
takes their increase since the last flush and adds it to the current minute, with the
cache's atomic ``incr`` like the request counts, so the store adds up every process's reads.
"""

from __future__ import annotations

import threading

from prodready_observability.metrics.definitions import CACHE_GETS

RESULTS = ("hit", "miss")

_lock = threading.Lock()
_written: dict[tuple[str, str], float] = {}  # (alias, result) -> total at the last take


def name(alias: str, result: str) -> str:
    """The store's per-minute key name for ``alias``'s hits or misses."""
    return f"cache:{alias}:{result}"


def take() -> dict[str, int]:
    """The reads counted since the last take, by key name; none counted gives ``{}``."""
    increase: dict[str, int] = {}
    with _lock:
        for metric in CACHE_GETS.collect():
            for sample in metric.samples:
                if not sample.name.endswith("_total"):
                    continue
                counter = (sample.labels["alias"], sample.labels["result"])
                before = _written.get(counter, 0.0)
                # Lower than before: a forked child's counters started again from 0.
                grown = sample.value - before if sample.value >= before else sample.value
                if grown:
                    increase[name(*counter)] = int(grown)
                _written[counter] = sample.value
    return increase


def put_back(increase: dict[str, int]) -> None:
    """Give back what a flush took and could not write, for the next one."""
    with _lock:
        for counter in list(_written):
            _written[counter] -= increase.get(name(*counter), 0)
