"""SyncAndAsyncMiddleware: one middleware serves a sync and an async stack, each its own way."""

from __future__ import annotations

from asgiref.sync import async_to_sync, iscoroutinefunction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from prodready_security.audit.context import current_request
from prodready_security.audit.middleware import AuditContextMiddleware


def test_a_sync_stack_is_called_synchronously() -> None:
    seen: list[HttpRequest | None] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(current_request())
        return HttpResponse("sync")

    middleware = AuditContextMiddleware(view)
    request = RequestFactory().get("/")

    assert not iscoroutinefunction(middleware)
    response = middleware(request)

    assert response.content == b"sync"
    assert seen == [request]
    assert current_request() is None


def test_an_async_stack_is_awaited() -> None:
    seen: list[HttpRequest | None] = []

    async def view(request: HttpRequest) -> HttpResponse:
        seen.append(current_request())
        return HttpResponse("async")

    middleware = AuditContextMiddleware(view)
    request = RequestFactory().get("/")

    assert iscoroutinefunction(middleware)
    response = async_to_sync(middleware)(request)

    assert response.content == b"async"
    assert seen == [request]
