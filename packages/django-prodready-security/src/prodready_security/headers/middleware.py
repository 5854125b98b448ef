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

from prodready.conf import derived_from
from prodready_security.conf import conf
from prodready_security.headers.policy import permissions_policy

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

DOTTED_PATH = "prodready_security.headers.middleware.SecurityHeadersMiddleware"


class SecurityHeadersMiddleware(MiddlewareMixin):
    """Sync and async alike: ``MiddlewareMixin`` adapts to the stack."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        for name, value in headers():
            if name not in response.headers:
                response.headers[name] = value
        return response


# Built once per change of these settings: the Permissions-Policy value is a join over
# the setting's features, which would otherwise be redone for every response.
@derived_from(
    "PRODREADY_HEADERS_PERMISSIONS_POLICY",
    "PRODREADY_HEADERS_CROSS_ORIGIN_OPENER_POLICY",
    "PRODREADY_HEADERS_CROSS_ORIGIN_RESOURCE_POLICY",
)
def headers() -> tuple[tuple[str, str], ...]:
    """The headers to send, without those whose setting turns them off."""
    values = {
        "Permissions-Policy": permissions_policy(conf.HEADERS_PERMISSIONS_POLICY),
        "Cross-Origin-Opener-Policy": conf.HEADERS_CROSS_ORIGIN_OPENER_POLICY,
        "Cross-Origin-Resource-Policy": conf.HEADERS_CROSS_ORIGIN_RESOURCE_POLICY,
    }
    return tuple((name, value) for name, value in values.items() if value)
