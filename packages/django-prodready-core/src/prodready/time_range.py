"""The operations dashboard's time ranges (1 h, 6 h, 24 h, 7 d) and the ``?range=`` parser.

Cards receive the chosen range as the ``time_range`` argument of
``prodready_dashboard_cards``; :func:`time_range_from` reads it from a request.
Not in ``prodready.dashboard``: the hook layer imports this module, and the dashboard
imports the hook layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

QUERY_PARAMETER = "range"


@dataclass(frozen=True)
class TimeRange:
    """A span of time ending now: ``key`` is its ``?range=`` value, ``label`` its name."""

    key: str
    label: str | Promise
    seconds: int

    @property
    def minutes(self) -> int:
        return self.seconds // 60

    def start(self, now: datetime | None = None) -> datetime:
        """When the range begins, ``seconds`` before ``now`` (default: the current time)."""
        return (now or timezone.now()) - timedelta(seconds=self.seconds)


RANGES: tuple[TimeRange, ...] = (
    TimeRange("1h", _("1 hour"), 3600),
    TimeRange("6h", _("6 hours"), 6 * 3600),
    TimeRange("24h", _("24 hours"), 24 * 3600),
    TimeRange("7d", _("7 days"), 7 * 24 * 3600),
)
DEFAULT_RANGE = RANGES[0]
_BY_KEY = {time_range.key: time_range for time_range in RANGES}


def time_range_from(request: HttpRequest) -> TimeRange:
    """The range ``?range=`` names; the default (1 h) when it is missing or unknown.

    Any value is accepted: a mistyped link shows the default range, never an error.
    """
    value = request.GET.get(QUERY_PARAMETER, "")
    return _BY_KEY.get(value.strip().lower(), DEFAULT_RANGE)
