"""A small site and helpers for the session tests (``tests/test_sessions_*``).

``urlpatterns`` is the site: ``@pytest.mark.urls("tests.sessions_support")``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, LogoutView, PasswordChangeView
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path

ACTIVITY = "prodready_security.sessions.middleware.SessionActivityMiddleware"
PASSWORD = "correct horse battery staple"
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1"
)


@login_required
def private(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"hello {request.user}")


urlpatterns = [
    path("private/", private),
    path("accounts/login/", LoginView.as_view(template_name="admin/login.html"), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        PasswordChangeView.as_view(template_name="admin/login.html", success_url="/private/"),
    ),
    path("admin/", admin.site.urls),
    path("account/sessions/", include("prodready_security.sessions.urls")),
]


def with_activity_middleware() -> list[str]:
    return [*settings.MIDDLEWARE, ACTIVITY]


def make_user(username: str, **flags: Any) -> Any:
    return get_user_model().objects.create_user(username, password=PASSWORD, **flags)


def signed_in(user: Any, user_agent: str = FIREFOX, address: str = "127.0.0.1") -> Client:
    """A browser that signed in through the login form, as people do."""
    client = Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address)
    response = client.post(
        "/accounts/login/", {"username": user.get_username(), "password": PASSWORD}
    )
    assert response.status_code == 302, response.content
    return client


def is_signed_in(client: Client) -> bool:
    return client.get("/private/").status_code == 200
