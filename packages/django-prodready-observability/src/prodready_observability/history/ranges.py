"""The time range of an operations page, from its ``?range=`` parameter.

One small function on purpose: core's shared range selector will replace it.
"""

from __future__ import annotations

import datetime as dt

RANGES = {
    "1h": dt.timedelta(hours=1),
    "6h": dt.timedelta(hours=6),
    "24h": dt.timedelta(hours=24),
    "7d": dt.timedelta(days=7),
}
DEFAULT = "24h"


def parse_range(value: object) -> tuple[str, dt.timedelta]:
    """The range's name and length; anything unknown is the default (24 hours)."""
    name = value if isinstance(value, str) and value in RANGES else DEFAULT
    return name, RANGES[name]
