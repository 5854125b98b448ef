"""The rate-limit middleware: rules from settings, no view edits, under WSGI and ASGI.

Add it after ``AuthenticationMiddleware`` (rules may count by user)::

    MIDDLEWARE = [
        ...,
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "prodready_security.ratelimit.middleware.RateLimitMiddleware",
        ...,
    ]

Rules matching by path prefix are checked before URL resolution, so they also
limit requests for paths that do not exist (scanners); rules matching by URL name
are checked in ``process_view``, once the URL is resolved. The middleware also
answers 429 for a login the lockout backend refused, and for a view whose
django-ratelimit ``@ratelimit`` decorator raised ``Ratelimited``.

Django picks the sync or async variant to suit the stack (``sync_and_async_middleware``),
so an ASGI site keeps its requests in the event loop. Only a request that a rule
matches leaves it, for one thread hop: the counting talks to Redis with blocking
I/O and the key may read ``request.user`` (a database query), neither of which may
run in the loop.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, cast

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.core.exceptions import ImproperlyConfigured
from django.utils.decorators import sync_and_async_middleware
from django_ratelimit.exceptions import (  # type: ignore[import-untyped, unused-ignore]
    Ratelimited,
)

from prodready_security.ratelimit import limiter, login_protection
from prodready_security.ratelimit.responses import too_many_requests
from prodready_security.ratelimit.rules import Rule, RuleError

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

DOTTED_PATH = "prodready_security.ratelimit.middleware.RateLimitMiddleware"
# django-ratelimit does not say how long its window has left; a minute is its usual rate.
DECORATOR_RETRY_AFTER = 60

SyncGetResponse = Callable[["HttpRequest"], "HttpResponse"]
AsyncGetResponse = Callable[["HttpRequest"], Awaitable["HttpResponse"]]
View = Callable[..., Any]


@sync_and_async_middleware
def RateLimitMiddleware(
    get_response: SyncGetResponse | AsyncGetResponse,
) -> SyncRateLimit | AsyncRateLimit:
    """Django's factory form of a sync-and-async middleware, named like a class."""
    try:
        limiter.active_rules()  # a malformed rule stops start-up here, naming the rule
    except RuleError as exc:
        raise ImproperlyConfigured(f"{exc} {exc.hint}") from exc
    if iscoroutinefunction(get_response):
        return AsyncRateLimit(cast("AsyncGetResponse", get_response))
    return SyncRateLimit(cast("SyncGetResponse", get_response))


def path_rules(request: HttpRequest) -> list[Rule]:
    path = request.path_info
    return [rule for rule in limiter.active_rules() if rule.paths and rule.matches_path(path)]


def url_name_rules(request: HttpRequest) -> list[Rule]:
    match = request.resolver_match
    if match is None:
        return []
    path = request.path_info
    return [
        rule
        for rule in limiter.active_rules()
        if rule.matches_url_name(match.view_name) and not rule.matches_path(path)
    ]


def decorator_refusal(request: HttpRequest, exception: Exception) -> HttpResponse | None:
    if isinstance(exception, Ratelimited):
        return too_many_requests(request, DECORATOR_RETRY_AFTER)
    return None


class SyncRateLimit:
    def __init__(self, get_response: SyncGetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rules = path_rules(request)
        refused = limiter.check(request, rules) if rules else None
        if refused is not None:
            return refused
        response = self.get_response(request)
        return login_protection.refused_response(request) or response

    def process_view(
        self, request: HttpRequest, view: View, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        rules = url_name_rules(request)
        return limiter.check(request, rules) if rules else None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return decorator_refusal(request, exception)


class AsyncRateLimit:
    def __init__(self, get_response: AsyncGetResponse) -> None:
        self.get_response = get_response
        markcoroutinefunction(self)

    async def __call__(self, request: HttpRequest) -> HttpResponse:
        rules = path_rules(request)
        if rules:
            refused = await sync_to_async(limiter.check)(request, rules)
            if refused is not None:
                return refused
        response = await self.get_response(request)
        return login_protection.refused_response(request) or response

    async def process_view(
        self, request: HttpRequest, view: View, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        rules = url_name_rules(request)
        return await sync_to_async(limiter.check)(request, rules) if rules else None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return decorator_refusal(request, exception)
