"""The base of the package's middleware that serves sync and async stacks alike.

Django calls a middleware that is both ``sync_capable`` and ``async_capable`` the
way the stack around it runs, so neither a WSGI nor an ASGI server pays a thread
switch for it. A subclass writes its work once per kind: ``_call`` for a sync
stack, ``_acall`` (a coroutine) for an async one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest


class SyncAndAsyncMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        return self._acall(request) if self.is_async else self._call(request)

    def _call(self, request: HttpRequest) -> Any:
        raise NotImplementedError

    async def _acall(self, request: HttpRequest) -> Any:
        raise NotImplementedError
