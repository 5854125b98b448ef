"""Anomaly alerts on every plugin's time series (hook ``prodready_time_series``).

Once a minute, :func:`prodready.anomalies.detect.detect` gives the latest point of each
series a robust z-score (median and MAD of a trailing window) and notifies, through
:func:`prodready.notify`, once when an episode starts and once when it ends. Cards ask
:func:`is_anomalous` or :func:`current`, or pass :func:`flags` to the template
``prodready/dashboard/anomaly_flags.html``, to flag what is unusual now.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.cache import DEFAULT_CACHE_ALIAS, caches

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Anomaly:
    """A series in an anomalous episode: since when, and its latest value and median."""

    series: str
    started_minute: int
    value: float
    median: float | None


def current(names: list[str]) -> dict[str, Anomaly]:
    """The series among ``names`` that are anomalous now; never raises (a cache that
    cannot be read flags nothing)."""
    from prodready.anomalies.detect import state_key

    try:
        found = caches[DEFAULT_CACHE_ALIAS].get_many([state_key(name) for name in names])
    except Exception:
        logger.warning("Could not read the anomaly state from the cache", exc_info=True)
        return {}
    anomalies = {}
    for name in names:
        record = found.get(state_key(name))
        if not isinstance(record, dict):
            continue
        started = record["state"].get("started")
        if started is not None:
            anomalies[name] = Anomaly(name, started, record["value"], record["median"])
    return anomalies


def is_anomalous(name: str) -> bool:
    """Whether the series ``name`` is in an anomalous episode now."""
    return name in current([name])


@dataclass(frozen=True)
class Flag:
    """What a card shows for one of its series that is anomalous now."""

    label: str
    since: datetime


def flags(labels: Mapping[str, str]) -> list[Flag]:
    """A flag for each series of ``labels`` (name -> label) that is anomalous now, in the
    order of ``labels``; render them with ``prodready/dashboard/anomaly_flags.html``."""
    found = current(list(labels))
    return [
        Flag(label, datetime.fromtimestamp(found[name].started_minute * 60, tz=UTC))
        for name, label in labels.items()
        if name in found
    ]
