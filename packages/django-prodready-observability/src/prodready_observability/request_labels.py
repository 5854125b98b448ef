"""A finished request's labels for metrics and log lines: its route pattern and method.

Both are of bounded variety, whatever a client sends, so they can label a time series.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.http import HttpRequest

UNMATCHED = "<unmatched>"
KNOWN_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}
)


def route_of(request: HttpRequest) -> str:
    """The URL pattern the request matched (``lessons/<int:pk>/``), never the raw path:
    a label and a log field of bounded variety."""
    match = getattr(request, "resolver_match", None)
    route = getattr(match, "route", None)
    return route if isinstance(route, str) and route else UNMATCHED


def method_of(request: HttpRequest) -> str:
    """The method, or ``OTHER`` for made-up ones (a client must not invent labels)."""
    method = request.method or ""
    return method if method in KNOWN_METHODS else "OTHER"
