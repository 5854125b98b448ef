"""Makes the current request known to audit events that are not given one.

Put it after ``AuthenticationMiddleware``: changes to tracked models then carry
the user who made them, their address, user agent and request id.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase

from prodready_security.audit.context import request_context
from prodready_security.middleware_base import SyncAndAsyncMiddleware


class AuditContextMiddleware(SyncAndAsyncMiddleware):
    def _call(self, request: HttpRequest) -> Any:
        with request_context(request):
            return self.get_response(request)

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        get_response: Callable[[HttpRequest], Awaitable[HttpResponseBase]] = self.get_response
        with request_context(request):
            return await get_response(request)
