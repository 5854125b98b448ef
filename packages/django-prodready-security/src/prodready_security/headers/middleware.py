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

from typing import TYPE_CHECKING

from django.utils.deprecation import MiddlewareMixin

from prodready_security.conf import conf
from prodready_security.headers.policy import permissions_policy

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

DOTTED_PATH = "prodready_security.headers.middleware.SecurityHeadersMiddleware"


class SecurityHeadersMiddleware(MiddlewareMixin):
    """Sync and async alike: ``MiddlewareMixin`` adapts to the stack."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        for name, value in headers().items():
            if value and name not in response.headers:
                response.headers[name] = value
        return response


def headers() -> dict[str, str | None]:
    # Read per response, not cached: settings are plain lookups and override_settings works.
    return {
        "Permissions-Policy": permissions_policy(conf.HEADERS_PERMISSIONS_POLICY),
        "Cross-Origin-Opener-Policy": conf.HEADERS_CROSS_ORIGIN_OPENER_POLICY,
        "Cross-Origin-Resource-Policy": conf.HEADERS_CROSS_ORIGIN_RESOURCE_POLICY,
    }
