"""The request middleware: request id, timing, one log line, metrics and the hook.

Put it first in ``MIDDLEWARE``, so that it times everything below it and every log
record of the request carries its id::

    MIDDLEWARE = ["prodready_observability.requests.middleware.RequestMiddleware", ...]

It runs natively under WSGI and ASGI (sync and async capable).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, cast

from asgiref.sync import iscoroutinefunction, markcoroutinefunction

from prodready_observability import context
from prodready_observability.requests.options import Options, options
from prodready_observability.requests.record import finish, record_exception

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponseBase


class RequestMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(
        self,
        get_response: Callable[[HttpRequest], HttpResponseBase]
        | Callable[[HttpRequest], Awaitable[HttpResponseBase]],
    ) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.is_async:
            return self._acall(request)
        current = options()
        request_id, own_id = _request_id(request, current)
        token = context.bind(request_id, request)
        started = time.perf_counter()
        try:
            response = cast("HttpResponseBase", self.get_response(request))
            _after(request, response, request_id, own_id, started, current)
            return response
        finally:
            context.unbind(token)

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        current = options()
        request_id, own_id = _request_id(request, current)
        token = context.bind(request_id, request)
        started = time.perf_counter()
        try:
            response = await cast("Awaitable[HttpResponseBase]", self.get_response(request))
            _after(request, response, request_id, own_id, started, current)
            return response
        finally:
            context.unbind(token)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if not options().skips(request.path_info):
            record_exception(request, exception)


def _request_id(request: HttpRequest, current: Options) -> tuple[str, bool]:
    """The request's id, and whether it was made here (not sent by a trusted proxy)."""
    incoming = request.META.get(current.meta_key) if current.trust_incoming else None
    request_id = context.incoming_or_new(incoming)
    request.prodready_request_id = request_id  # type: ignore[attr-defined]
    return request_id, request_id is not incoming


def _after(
    request: HttpRequest,
    response: HttpResponseBase,
    request_id: str,
    own_id: bool,
    started: float,
    current: Options,
) -> None:
    """``current``: the options the request started with, read once per request."""
    duration = time.perf_counter() - started
    response[current.header] = request_id
    if not current.skips(request.path_info):
        finish(request, response, request_id, duration, current.slow_ms, own_id=own_id)
