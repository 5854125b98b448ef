"""``SecurityHeadersMiddleware``: the headers of ``policy`` on every response.

A header the view (or another middleware) already set is left alone, so one page can
loosen a policy for itself. List it first, before Django's ``SecurityMiddleware``::

    MIDDLEWARE = [
        "prodready_security.headers.middleware.SecurityHeadersMiddleware",
        "django.middleware.security.SecurityMiddleware",
        ...,
    ]

Responses pass through middleware in reverse order, so Django's own
``SECURE_CROSS_ORIGIN_OPENER_POLICY`` is set first and wins; ours fills in when
Django sends none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from prodready.conf import derived_from
from prodready_security.conf import conf
from prodready_security.headers.policy import permissions_policy
from prodready_security.middleware_base import SyncAndAsyncMiddleware

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

DOTTED_PATH = "prodready_security.headers.middleware.SecurityHeadersMiddleware"


class SecurityHeadersMiddleware(SyncAndAsyncMiddleware):
    def _call(self, request: HttpRequest) -> Any:
        return add_headers(self.get_response(request))

    async def _acall(self, request: HttpRequest) -> Any:
        return add_headers(await self.get_response(request))


def add_headers(response: HttpResponse) -> HttpResponse:
    """``response`` with every header of ``headers()`` it does not have yet."""
    wanted = headers()
    if wanted:
        # The names it has, lowercased once: asking the headers for each missing name
        # would raise and catch a KeyError per header.
        present = {name.lower() for name in response.headers}
        for name, lowered, value in wanted:
            if lowered not in present:
                response.headers[name] = value
    return response


@derived_from(
    "PRODREADY_HEADERS_PERMISSIONS_POLICY",
    "PRODREADY_HEADERS_CROSS_ORIGIN_OPENER_POLICY",
    "PRODREADY_HEADERS_CROSS_ORIGIN_RESOURCE_POLICY",
)
def headers() -> tuple[tuple[str, str, str], ...]:
    """The headers to send (name, lowercased name, value), without those whose setting
    turns them off."""
    values = {
        "Permissions-Policy": permissions_policy(conf.HEADERS_PERMISSIONS_POLICY),
        "Cross-Origin-Opener-Policy": conf.HEADERS_CROSS_ORIGIN_OPENER_POLICY,
        "Cross-Origin-Resource-Policy": conf.HEADERS_CROSS_ORIGIN_RESOURCE_POLICY,
    }
    return tuple((name, name.lower(), value) for name, value in values.items() if value)
