"""2FA enforcement without a database query per request for a user without 2FA.

Whether a user enrolled is remembered in the default cache; saving or deleting one of
their devices forgets it, so enrolling in one session sends every other session to
verify on its next request.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from tests.otp_support import enforcing_middleware, enrol, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.otp_support")]

VERIFY = "/account/2fa/verify/"


@pytest.fixture(autouse=True)
def enforced() -> Iterator[None]:
    with override_settings(MIDDLEWARE=enforcing_middleware(), LOGIN_REDIRECT_URL="/"):
        yield


def device_queries(client: Client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").content == b"welcome home"
    return [q["sql"] for q in queries.captured_queries if "device" in q["sql"]]


def test_a_user_without_2fa_is_not_queried_for_devices_again(client: Client) -> None:
    client.force_login(make_user("ada"))
    assert len(device_queries(client)) == 1  # the first request asks the database
    assert device_queries(client) == []  # then the cache answers


def test_enrolling_elsewhere_sends_this_session_to_verify(client: Client) -> None:
    user = make_user("ada")
    client.force_login(user)
    assert client.get("/").content == b"welcome home"  # remembered: not enrolled
    enrol(user)  # in another session
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(VERIFY)


@override_settings(PRODREADY_OTP_DEVICE_CACHE_SECONDS=0)
def test_without_the_cache_every_request_asks_the_database(client: Client) -> None:
    client.force_login(make_user("ada"))
    assert len(device_queries(client)) == 1
    assert len(device_queries(client)) == 1
