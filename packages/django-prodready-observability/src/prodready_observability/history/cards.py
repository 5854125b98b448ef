"""The history's dashboard cards: the slowest requests, slow queries, recent exceptions
and the busiest users of the last 24 hours, each linking to its page."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from typing import Any, Literal

from django.db import DatabaseError
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext

from prodready.dashboard import DashboardCard
from prodready_observability.conf import conf
from prodready_observability.history import reading
from prodready_observability.history.ranges import DEFAULT, RANGES

logger = logging.getLogger(__name__)
SHOWN = 5
TEMPLATES = "prodready_observability/history/cards/"


def history_cards() -> list[DashboardCard]:
    """None of them while ``PRODREADY_ANALYTICS_HISTORY`` is off."""
    if not conf.ANALYTICS_HISTORY:
        return []
    since = timezone.now() - RANGES[DEFAULT]
    return [
        _card(gettext("Slow requests, last 24 hours"), reading.slow_requests, since, order=21),
        _card(gettext("Slow queries, last 24 hours"), reading.slow_queries, since, order=22),
        _card(
            gettext("Exceptions, last 24 hours"),
            reading.exceptions,
            since,
            order=23,
            warn_when_rows=True,
        ),
        _card(
            gettext("Busiest users, last 24 hours"),
            reading.busiest_users,
            since,
            order=24,
            page="slow-requests",  # the busiest users are on the slow requests' page
        ),
    ]


def _card(
    title: str,
    read: Callable[[dt.datetime, int], Sequence[Any]],
    since: dt.datetime,
    order: int,
    *,
    page: str | None = None,
    warn_when_rows: bool = False,
) -> DashboardCard:
    """The first rows ``read`` finds, in cards/<its name>.html, linking to its page
    (``prodready_history:<its name, dashed>`` unless ``page`` names another)."""
    name = read.__name__
    status: Literal["ok", "warning", "error", "info"] = "info"
    context: dict[str, Any] = {
        "slow_request_ms": conf.ANALYTICS_SLOW_REQUEST_MS,
        "slow_query_ms": conf.ANALYTICS_SLOW_QUERY_MS,
    }
    try:
        context["rows"] = read(since, SHOWN)
    except DatabaseError as exc:
        logger.warning("The request history could not be read: %s", type(exc).__name__)
        context["problem"] = gettext(
            "The request history could not be read ({error}). If its tables are missing, "
            "run manage.py migrate prodready_observability."
        ).format(error=type(exc).__name__)
        status = "error"
    else:
        if warn_when_rows and context["rows"]:
            status = "warning"
    return DashboardCard(
        title=title,
        template=f"{TEMPLATES}{name}.html",
        context=context,
        status=status,
        order=order,
        url=_url(page or name.replace("_", "-")),
    )


def _url(name: str) -> str | None:
    try:
        return reverse(f"prodready_history:{name}")
    except NoReverseMatch:  # a project that has not mounted the pages
        return None
