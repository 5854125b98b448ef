"""Rate strings such as ``5/m``, ``100/h`` or ``5/15m``: a count per period.

The syntax is django-ratelimit's, so a rate reads the same in a rule and in a
``@ratelimit(rate=...)`` decorator. Its own parser is lenient (``"5/x"`` silently
means five per second); this one refuses anything it does not fully understand,
so a typo in settings becomes a system-check error instead of a different limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RATE_PATTERN = re.compile(r"(?P<count>\d+)/(?P<multiplier>\d*)(?P<unit>[smhd])")
RATE_EXAMPLES = "'5/m', '100/h' or '5/15m' (a count, a slash, an optional number and s, m, h or d)"


class InvalidRate(ValueError):
    """A rate string that does not follow ``<count>/<period>``."""


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int
    text: str

    def __str__(self) -> str:
        return self.text


def parse_rate(text: object) -> Rate:
    """Parse ``text``; raise :class:`InvalidRate` saying what was expected."""
    match = RATE_PATTERN.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise InvalidRate(f"expected a rate like {RATE_EXAMPLES}; found {text!r}")
    multiplier = int(match["multiplier"] or 1)
    if multiplier == 0:
        raise InvalidRate(f"the period of {text!r} is zero; expected a rate like {RATE_EXAMPLES}")
    return Rate(int(match["count"]), multiplier * PERIODS[match["unit"]], str(text))
