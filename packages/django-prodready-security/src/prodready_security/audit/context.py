"""The request being handled, for events that are not given one (model changes).

Set by :class:`prodready_security.audit.middleware.AuditContextMiddleware`; a
context variable, so it is right per thread and per asyncio task.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

from django.http import HttpRequest

_current_request: ContextVar[HttpRequest | None] = ContextVar(
    "prodready_audit_request", default=None
)


def current_request() -> HttpRequest | None:
    return _current_request.get()


def enter(request: HttpRequest) -> Token[HttpRequest | None]:
    """Make ``request`` current; pass what it returns to :func:`leave` when it is done.
    (The middleware's way, one request at a time: no context manager's generator.)"""
    return _current_request.set(request)


def leave(token: Token[HttpRequest | None]) -> None:
    _current_request.reset(token)


@contextmanager
def request_context(request: HttpRequest) -> Iterator[None]:
    token = enter(request)
    try:
        yield
    finally:
        leave(token)
