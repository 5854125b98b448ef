"""SecurityHeadersMiddleware: production defaults, settings, and the view's own headers."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.test import AsyncClient, Client, override_settings

from tests.headers_support import HEADERS, with_headers_middleware

pytestmark = pytest.mark.urls("tests.headers_support")


@pytest.fixture(autouse=True)
def _installed() -> object:
    with override_settings(MIDDLEWARE=with_headers_middleware()):
        yield


def test_defaults_turn_off_powerful_features_and_isolate_the_site(client: Client) -> None:
    response = client.get("/plain/")
    policy = response.headers["Permissions-Policy"]
    assert "camera=()" in policy
    assert "geolocation=()" in policy
    assert "microphone=()" in policy
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"


@override_settings(
    PRODREADY_HEADERS_PERMISSIONS_POLICY={
        "geolocation": ["self", "https://maps.example.com"],
        "fullscreen": ["*"],
        "camera": [],
    },
    PRODREADY_HEADERS_CROSS_ORIGIN_OPENER_POLICY="same-origin-allow-popups",
    PRODREADY_HEADERS_CROSS_ORIGIN_RESOURCE_POLICY="same-site",
)
def test_settings_override_the_defaults(client: Client) -> None:
    response = client.get("/plain/")
    assert response.headers["Permissions-Policy"] == (
        'geolocation=(self "https://maps.example.com"), fullscreen=(*), camera=()'
    )
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin-allow-popups"
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-site"


@override_settings(
    PRODREADY_HEADERS_PERMISSIONS_POLICY={},
    PRODREADY_HEADERS_CROSS_ORIGIN_OPENER_POLICY=None,
    PRODREADY_HEADERS_CROSS_ORIGIN_RESOURCE_POLICY=None,
)
def test_none_and_empty_send_nothing(client: Client) -> None:
    response = client.get("/plain/")
    for name in (
        "Permissions-Policy",
        "Cross-Origin-Opener-Policy",
        "Cross-Origin-Resource-Policy",
    ):
        assert name not in response.headers


def test_headers_the_view_set_are_kept(client: Client) -> None:
    response = client.get("/camera/")
    assert response.headers["Permissions-Policy"] == "camera=(self)"
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"  # not set by the view


def test_djangos_opener_policy_wins_when_listed_after_it(client: Client) -> None:
    """Listed first (as documented), ours sees the response after SecurityMiddleware set COOP."""
    rest = [name for name in settings.MIDDLEWARE if name != HEADERS]
    middleware = [HEADERS, "django.middleware.security.SecurityMiddleware", *rest]
    with override_settings(
        MIDDLEWARE=middleware, SECURE_CROSS_ORIGIN_OPENER_POLICY="same-origin-allow-popups"
    ):
        response = client.get("/plain/")
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin-allow-popups"


def test_async_stack() -> None:
    async def run() -> str:
        response = await AsyncClient().get("/plain/")
        return str(response.headers["Cross-Origin-Resource-Policy"])

    assert async_to_sync(run)() == "same-origin"
