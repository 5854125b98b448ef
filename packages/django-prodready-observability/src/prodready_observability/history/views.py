"""Staff pages of the request history: slow requests (and the busiest users), slow
queries, exceptions; each over ``?range=1h|6h|24h|7d`` (default 24h).

Mount them with ``path("ops/history/", include("prodready_observability.history.urls"))``.
Anonymous visitors are sent to log in; signed-in users who are not active staff get 403.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache

from prodready_observability.conf import conf
from prodready_observability.history.ranges import parse_range

logger = logging.getLogger(__name__)


def _page(
    request: HttpRequest, title: str, template: str, read: Callable[[Any], dict[str, Any]]
) -> HttpResponse:
    """``template`` extends history/_page.html, which heads it with ``title``."""
    # Imported here: both load models, and this URLconf can be imported before the app
    # registry is ready (as a gunicorn logger that scrubs its start-up lines does).
    from django.contrib.auth.views import redirect_to_login

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (request.user.is_active and request.user.is_staff):
        raise PermissionDenied(gettext("The operations pages are for staff only."))
    name, length = parse_range(request.GET.get("range"))
    context: dict[str, Any] = {
        "title": title,
        "range": name,
        "history_on": conf.ANALYTICS_HISTORY,
        "slow_request_ms": conf.ANALYTICS_SLOW_REQUEST_MS,
        "slow_query_ms": conf.ANALYTICS_SLOW_QUERY_MS,
        "sample_rate": conf.ANALYTICS_QUERY_SAMPLE_RATE,
        "problem": None,
    }
    status = 200
    try:
        context.update(read(timezone.now() - length))
    except DatabaseError as exc:
        logger.warning("The request history could not be read: %s", type(exc).__name__)
        context["problem"] = gettext(
            "The request history could not be read from the database ({error}). If its "
            "tables are missing, run manage.py migrate prodready_observability."
        ).format(error=type(exc).__name__)
        status = 503
    return render(request, template, context, status=status)


@never_cache
def slow_requests(request: HttpRequest) -> HttpResponse:
    from prodready_observability.history import reading

    return _page(
        request,
        gettext("Slow requests"),
        "prodready_observability/history/slow_requests.html",
        lambda since: {
            "rows": reading.slow_requests(since),
            "users": reading.busiest_users(since),
        },
    )


@never_cache
def slow_queries(request: HttpRequest) -> HttpResponse:
    from prodready_observability.history import reading

    return _page(
        request,
        gettext("Slow queries"),
        "prodready_observability/history/slow_queries.html",
        lambda since: {"rows": reading.slow_queries(since)},
    )


@never_cache
def exceptions(request: HttpRequest) -> HttpResponse:
    from prodready_observability.history import reading

    return _page(
        request,
        gettext("Exceptions"),
        "prodready_observability/history/exceptions.html",
        lambda since: {"rows": reading.exceptions(since)},
    )
