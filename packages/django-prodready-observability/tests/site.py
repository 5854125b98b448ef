"""A small site for the request middleware and metrics tests: sync and async views."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path

from prodready_observability.context import current_request_id, current_user_id

logger = logging.getLogger("tests.site")

MIDDLEWARE = [
    "prodready_observability.requests.middleware.RequestMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
SETTINGS = {
    "ROOT_URLCONF": "tests.site",
    "MIDDLEWARE": MIDDLEWARE,
    "SESSION_ENGINE": "django.contrib.sessions.backends.signed_cookies",
}


def lesson(request: HttpRequest, pk: int) -> HttpResponse:
    logger.info("showing lesson %s", pk)
    return JsonResponse({"request_id": current_request_id()})


def whoami(request: HttpRequest) -> HttpResponse:
    user_id = request.user.pk  # loads the user, as a real view would
    logger.info("whoami")
    return JsonResponse({"user": user_id, "context_user": current_user_id()})


async def async_lesson(request: HttpRequest, pk: int) -> HttpResponse:
    await asyncio.sleep(0)
    logger.info("async lesson %s", pk)
    return JsonResponse({"request_id": current_request_id()})


def slow(request: HttpRequest) -> HttpResponse:
    time.sleep(0.05)
    return HttpResponse("slow")


def broken(request: HttpRequest) -> HttpResponse:
    raise ZeroDivisionError("the view divided by zero")


def slow_query(request: HttpRequest) -> HttpResponse:
    from django.db import connections

    with connections["postgres"].cursor() as cursor:
        cursor.execute("SELECT pg_sleep(0.03), 'alice@example.com', 4242")
    return HttpResponse("queried")


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def pid(request: HttpRequest, n: int) -> HttpResponse:
    time.sleep(0.02)  # long enough that concurrent requests spread over the workers
    return HttpResponse(str(os.getpid()))


def shared_file(request: HttpRequest, api_key: str) -> HttpResponse:
    """A link that carries its own credential in the path, as share links do."""
    logger.warning("no file shared at %s", request.path)
    raise Http404(f"no file at {request.get_full_path()}")


def refused(request: HttpRequest) -> HttpResponse:
    """An error whose text holds what the client sent, as a careless message does."""
    api_key = request.headers.get("X-Api-Key", "")
    raise RuntimeError(f"upstream refused api_key={api_key} for {request.get_full_path()}")


def careless(request: HttpRequest, api_key: str) -> HttpResponse:
    """Logs everything a client sent, as careless code does, then fails with it."""
    request.get_host()  # a host not in ALLOWED_HOSTS is refused here, as Django does
    logger.info("serving %s", request, extra={"headers": dict(request.headers)})
    logger.info("form %s, cookies %s", request.POST.dict(), request.COOKIES)
    if request.content_type == "application/json":
        logger.info(
            "document %s", request.body.decode(), extra={"document": json.loads(request.body)}
        )
    raise RuntimeError(f"could not serve {request.get_full_path()} with {request.GET.urlencode()}")


urlpatterns = [
    path("careless/<str:api_key>/", careless),
    path("refused/", refused),
    path("files/<str:api_key>/", shared_file),
    path("lessons/<int:pk>/", lesson),
    path("async/lessons/<int:pk>/", async_lesson),
    path("whoami/", whoami),
    path("slow/", slow),
    path("broken/", broken),
    path("health/", health),
    path("slow-query/", slow_query),
    path("ops/history/", include("prodready_observability.history.urls")),
    path("pid/<int:n>/", pid),
    path("", include("prodready_observability.urls")),
]
