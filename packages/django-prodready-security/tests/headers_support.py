"""A small site for the header and CSP report tests (``tests/test_headers_*``).

``urlpatterns`` is the site: ``@pytest.mark.urls("tests.headers_support")``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

HEADERS = "prodready_security.headers.middleware.SecurityHeadersMiddleware"
REPORT_URL = "/security/csp/report/"


def plain(request: HttpRequest) -> HttpResponse:
    return HttpResponse("plain")


def own_policy(request: HttpRequest) -> HttpResponse:
    """A page that needs the camera and says so itself."""
    response = HttpResponse("camera page")
    response.headers["Permissions-Policy"] = "camera=(self)"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


urlpatterns = [
    path("plain/", plain),
    path("camera/", own_policy),
    path("admin/", admin.site.urls),
    path("security/csp/", include("prodready_security.headers.urls")),
]


def with_headers_middleware() -> list[str]:
    return [*settings.MIDDLEWARE, HEADERS]
