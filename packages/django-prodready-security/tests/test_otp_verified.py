"""VerifiedDeviceMiddleware: django-otp's verification with one cache read a request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import AsyncClient, Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path
from django.utils.functional import SimpleLazyObject

from prodready_security.otp.middleware import VERIFIED_DEVICE_MIDDLEWARE
from prodready_security.otp.middleware import _install as install
from prodready_security.otp.models import EncryptedTOTPDevice
from prodready_security.testing import force_login_verified
from tests.otp_support import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def status(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"verified": request.user.is_verified()})  # type: ignore[union-attr]


async def astatus(request: HttpRequest) -> HttpResponse:
    user = await request.auser()
    return JsonResponse({"verified": user.is_verified()})  # type: ignore[union-attr]


urlpatterns = [path("status/", status), path("astatus/", astatus)]


@pytest.fixture(autouse=True)
def middleware() -> Iterator[None]:
    replaced = [
        VERIFIED_DEVICE_MIDDLEWARE if entry == "django_otp.middleware.OTPMiddleware" else entry
        for entry in settings.MIDDLEWARE
    ]
    cache.clear()
    with override_settings(MIDDLEWARE=replaced):
        yield
    cache.clear()


@pytest.fixture
def signed_in() -> tuple[Client, EncryptedTOTPDevice]:
    client = Client()
    device = force_login_verified(client, make_user("ops", is_staff=True))
    return client, device


def verified(client: Client) -> Any:
    return client.get("/status/").json()["verified"]


def test_a_verified_session_is_verified_and_the_device_is_loaded_once(
    signed_in: tuple[Client, EncryptedTOTPDevice],
) -> None:
    client, _ = signed_in
    with CaptureQueriesContext(connection) as first:
        assert verified(client) is True
    with CaptureQueriesContext(connection) as second:
        assert verified(client) is True
    table = EncryptedTOTPDevice._meta.db_table
    assert [q for q in first.captured_queries if table in q["sql"]]
    assert not [q for q in second.captured_queries if table in q["sql"]]


def test_deleting_the_device_ends_verification_at_once(
    signed_in: tuple[Client, EncryptedTOTPDevice],
) -> None:
    client, device = signed_in
    assert verified(client) is True  # now trusted from the cache
    device.delete()
    assert verified(client) is False
    assert "otp_device_id" not in client.session


def test_unconfirming_the_device_ends_verification_at_once(
    signed_in: tuple[Client, EncryptedTOTPDevice],
) -> None:
    client, device = signed_in
    assert verified(client) is True
    device.confirmed = False
    device.save()
    assert verified(client) is False


def test_a_change_that_bypasses_signals_waits_for_the_entry_to_expire(
    signed_in: tuple[Client, EncryptedTOTPDevice],
) -> None:
    client, device = signed_in
    assert verified(client) is True
    EncryptedTOTPDevice.objects.filter(pk=device.pk).update(confirmed=False)
    assert verified(client) is True  # the documented bound: PRODREADY_OTP_DEVICE_CACHE_SECONDS
    cache.clear()  # as if it expired
    assert verified(client) is False


def test_another_users_device_in_the_session_verifies_nobody() -> None:
    client = Client()
    force_login_verified(client, make_user("owner"))
    device_id = client.session["otp_device_id"]
    client.force_login(make_user("intruder"))
    session = client.session
    session["otp_device_id"] = device_id
    session.save()
    assert verified(client) is False
    assert verified(client) is False  # not trusted from the cache either


@override_settings(PRODREADY_OTP_DEVICE_CACHE_SECONDS=0)
def test_zero_seconds_loads_the_device_every_time(
    signed_in: tuple[Client, EncryptedTOTPDevice],
) -> None:
    client, device = signed_in
    assert verified(client) is True
    EncryptedTOTPDevice.objects.filter(pk=device.pk).update(confirmed=False)
    assert verified(client) is False


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }  # nothing listens there
)
def test_an_unreachable_cache_falls_back_to_the_database(
    signed_in: tuple[Client, EncryptedTOTPDevice],
) -> None:
    client, device = signed_in
    assert verified(client) is True
    device.delete()
    assert verified(client) is False


def test_an_anonymous_visitor_is_not_verified() -> None:
    assert verified(Client()) is False


def test_async_views_see_the_verification(
    signed_in: tuple[Client, EncryptedTOTPDevice],
) -> None:
    client, _ = signed_in
    asynchronous = AsyncClient()
    asynchronous.cookies = client.cookies
    response = async_to_sync(asynchronous.get)("/astatus/")
    assert response.json() == {"verified": True}


def test_a_loaded_anonymous_user_is_marked_unverified_without_a_lazy_wrapper() -> None:
    # SessionActivityMiddleware, before it, has loaded the user already: nothing is left
    # to look up, so later reads of request.user need not pass through another proxy.
    request = RequestFactory().get("/")
    anonymous = AnonymousUser()
    request.user = SimpleLazyObject(lambda: anonymous)  # type: ignore[assignment]
    assert request.user.is_authenticated is False  # loaded
    install(request)
    assert request.user._wrapped is anonymous  # type: ignore[union-attr]
    assert anonymous.otp_device is None  # type: ignore[attr-defined]
    assert anonymous.is_verified() is False  # type: ignore[attr-defined]


def test_a_user_not_yet_loaded_stays_lazy() -> None:
    request = RequestFactory().get("/")
    loads: list[int] = []
    request.user = SimpleLazyObject(lambda: loads.append(1) or AnonymousUser())  # type: ignore[assignment]
    install(request)
    assert loads == []
    assert request.user.is_verified() is False  # type: ignore[union-attr]
    assert loads == [1]
