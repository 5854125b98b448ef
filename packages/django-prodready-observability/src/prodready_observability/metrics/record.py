"""Counts a finished request in the Prometheus metrics (``prodready_request_finished``).

``labels()`` validates and locks on every call; the children it returns are kept per
label set instead (their number is bounded: methods x routes x statuses).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from prodready_observability.metrics.definitions import LATENCY, REQUESTS
from prodready_observability.request_labels import method_of, route_of

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponseBase

_children: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def record_request(
    request: HttpRequest, response: HttpResponseBase, duration: float
) -> tuple[str, str, int]:
    """Count it; returns its labels (method, route, status) for the analytics store."""
    key = (method_of(request), route_of(request), response.status_code)
    children = _children.get(key)
    if children is None:
        method, route, status = key
        children = _children[key] = (
            REQUESTS.labels(method, route, str(status)),
            LATENCY.labels(route),
        )
    counter, histogram = children
    counter.inc()
    histogram.observe(duration)
    return key
