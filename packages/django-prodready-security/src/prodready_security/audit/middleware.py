"""Makes the current request known to audit events that are not given one.

Put it after ``AuthenticationMiddleware``: changes to tracked models then carry
the user who made them, their address, user agent and request id.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase

from prodready_security.audit.context import enter, leave
from prodready_security.middleware_base import SyncAndAsyncMiddleware


class AuditContextMiddleware(SyncAndAsyncMiddleware):
    def _call(self, request: HttpRequest) -> Any:
        token = enter(request)
        try:
            return self.get_response(request)
        finally:
            leave(token)

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        get_response: Callable[[HttpRequest], Awaitable[HttpResponseBase]] = self.get_response
        token = enter(request)
        try:
            return await get_response(request)
        finally:
            leave(token)
