"""The answers to a refused request: 429 when limited, 503 when the cache is down.

API clients get JSON: a rule marked ``"api": True``, or a request that prefers
``application/json`` over HTML. Everyone else gets a small HTML page. Both carry
``Retry-After`` in whole seconds.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext, ngettext

if TYPE_CHECKING:
    from django.http import HttpRequest

# How long a client should wait when the counters' cache is down: a guess, kept short.
UNAVAILABLE_RETRY_AFTER = 5


def wants_json(request: HttpRequest, *, api: bool = False) -> bool:
    if api:
        return True
    preferred = request.get_preferred_type(["text/html", "application/json"])
    return preferred == "application/json"


def too_many_requests(
    request: HttpRequest, retry_after: float, *, api: bool = False, login: bool = False
) -> HttpResponse:
    seconds = max(1, math.ceil(retry_after))
    if login:
        detail = ngettext(
            "Too many failed logins. Try again in {seconds} second.",
            "Too many failed logins. Try again in {seconds} seconds.",
            seconds,
        )
    else:
        detail = ngettext(
            "Too many requests. Try again in {seconds} second.",
            "Too many requests. Try again in {seconds} seconds.",
            seconds,
        )
    detail = detail.format(seconds=seconds)
    return _response(request, 429, "rate_limited", detail, seconds, "blocked.html", api=api)


def service_unavailable(request: HttpRequest, *, api: bool = False) -> HttpResponse:
    detail = gettext("The service is briefly unavailable. Please try again in a few seconds.")
    return _response(
        request,
        503,
        "unavailable",
        detail,
        UNAVAILABLE_RETRY_AFTER,
        "unavailable.html",
        api=api,
    )


def _response(
    request: HttpRequest,
    status: int,
    error: str,
    detail: str,
    retry_after: int,
    template: str,
    *,
    api: bool,
) -> HttpResponse:
    response: HttpResponse
    if wants_json(request, api=api):
        body = {"error": error, "detail": detail, "retry_after": retry_after}
        response = JsonResponse(body, status=status)
    else:
        html = render_to_string(
            f"prodready_security/ratelimit/{template}",
            {"detail": detail, "retry_after": retry_after},
            request=request,
        )
        response = HttpResponse(html, status=status)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response
