"""What happens when a request is finished: one log line and the hook.

The line goes to the ``prodready.requests`` logger, INFO, or WARNING when the
request took longer than ``PRODREADY_ANALYTICS_SLOW_REQUEST_MS``. Its fields are
``extra`` attributes of the record, so a JSON formatter writes each as a key.

The line is one per request, so it is made cheap: the user agent, its only text a
client chooses, is scrubbed here, and the record names the fields that need no more
scrubbing (``VOUCHED``: a route pattern, a status, a parsed address, that user agent),
which the logging filter and the JSON formatter then do not walk. A request id is
vouched for only when the middleware made it; one a trusted proxy sent is scrubbed as
written.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

from prodready import hooks
from prodready.client_ip import client_ip
from prodready_observability.context import user_id_of
from prodready_observability.logging import SCRUBBED, cached_scrubber
from prodready_observability.request_labels import method_of, route_of

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponseBase

logger = logging.getLogger("prodready.requests")

USER_AGENT_LENGTH = 256
# The message is made of the method, route, status and duration only.
VOUCHED = frozenset(
    {"message", "method", "route", "status", "duration_ms", "user_id", "client_ip", "user_agent"}
)
VOUCHED_WITH_OWN_ID = VOUCHED | {"request_id"}


def finish(
    request: HttpRequest,
    response: HttpResponseBase,
    request_id: str,
    duration: float,
    slow_ms: float,
    *,
    own_id: bool = False,
) -> None:
    """Log the request's line and call the hook. ``own_id``: the middleware made
    ``request_id`` (random hex digits), so it is not scrubbed again."""
    duration_ms = duration * 1000
    level = logging.WARNING if duration_ms > slow_ms else logging.INFO
    if logger.isEnabledFor(level):
        method, route, status = method_of(request), route_of(request), response.status_code
        user_agent = str(request.META.get("HTTP_USER_AGENT", ""))[:USER_AGENT_LENGTH]
        extra = {
            "method": method,
            "route": route,
            "status": status,
            "duration_ms": round(duration_ms, 3),
            "user_id": user_id_of(request),
            "client_ip": client_ip(request),
            "user_agent": cached_scrubber().text(user_agent),
            "request_id": request_id,
            SCRUBBED: VOUCHED_WITH_OWN_ID if own_id else VOUCHED,
        }
        # Made and handled here, as logger.log() would, except that it would first walk
        # the stack to find this line, a cost every request would pay. The fields are
        # added after makeRecord(), which would check each for a clash with the record's
        # own attributes: these names are fixed here and clash with none.
        record = logger.makeRecord(
            logger.name,
            level,
            __file__,
            sys._getframe().f_lineno,
            "%s %s %s %.1fms",
            (method, route, status, duration_ms),
            None,
            func="finish",
        )
        record.__dict__.update(extra)
        logger.handle(record)
    hooks.request_finished(request, response, duration)  # type: ignore[arg-type]


def record_exception(request: HttpRequest, exception: Exception) -> None:
    from prodready_observability.history.options import options
    from prodready_observability.metrics.definitions import EXCEPTIONS

    route = route_of(request)
    EXCEPTIONS.labels(route=route, exception=type(exception).__name__).inc()
    if options().history:
        from prodready_observability.history.recorder import record_exception as keep

        keep(request, route, exception)
