""" "Trust this browser for N days": skips the code, ended by every change that must end it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client, override_settings

from prodready.events import AuditEvent
from prodready_security.otp.models import EncryptedTOTPDevice, TrustedBrowser
from prodready_security.otp.trusted_browsers import COOKIE
from tests.otp_support import PASSWORD, enforcing_middleware, enrol, fresh_code, make_user

pytestmark = [pytest.mark.urls("tests.otp_support"), pytest.mark.django_db]

VERIFY = "/account/2fa/verify/"
SESSIONS = "/account/sessions/"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"


@pytest.fixture(autouse=True)
def settings_for_tests() -> Iterator[None]:
    with override_settings(
        MIDDLEWARE=enforcing_middleware(),
        LOGIN_REDIRECT_URL="/",
        PRODREADY_OTP_THROTTLE_FACTOR=0,
        PRODREADY_OTP_TRUSTED_BROWSER_DAYS=30,
    ):
        yield


def sign_in(client: Client, username: str) -> Any:
    """Password only: where the site sends this browser next."""
    client.post("/accounts/logout/")
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client.get("/")


def trusting(username: str = "ada", **flags: Any) -> tuple[Any, EncryptedTOTPDevice, Client]:
    """A staff user who verified with a code and ticked "trust this browser"."""
    user = make_user(username, is_staff=True, **flags)
    device, _codes = enrol(user)
    client = Client(HTTP_USER_AGENT=FIREFOX)
    assert sign_in(client, username)["Location"].startswith(VERIFY)
    page = client.get(VERIFY).content.decode()
    assert "Trust this browser for 30 days" in page
    response = client.post(VERIFY, {"code": fresh_code(device), "trust": "on"})
    assert response.status_code == 302
    return user, device, client


def skips_the_code(client: Client) -> bool:
    response = sign_in(client, "ada")
    if response.status_code != 302 or not response["Location"].startswith(VERIFY):
        return False
    followed = client.get(response["Location"])
    return followed.status_code == 302 and client.get("/").content == b"welcome home"


def test_a_trusted_browser_skips_the_code_at_the_next_sign_in(
    audit_events: list[AuditEvent],
) -> None:
    user, _device, client = trusting()
    cookie = client.cookies[COOKIE]
    assert cookie["httponly"] is True
    assert cookie["max-age"] == 30 * 86400
    assert str(user.pk) in cookie.value  # signed, holding the user and a token
    [row] = TrustedBrowser.objects.filter(user=user)
    assert row.digest not in cookie.value  # only the token's digest is stored
    assert skips_the_code(client)
    actions = [e.action for e in audit_events]
    assert [a for a in actions if "trust" in a] == [
        "otp.browser_trusted",
        "otp.trusted_browser_used",
    ]


def test_off_by_default() -> None:
    user = make_user("ada", is_staff=True)
    device, _ = enrol(user)
    client = Client()
    sign_in(client, "ada")
    with override_settings(PRODREADY_OTP_TRUSTED_BROWSER_DAYS=0):
        assert "Trust this browser" not in client.get(VERIFY).content.decode()
        client.post(VERIFY, {"code": fresh_code(device), "trust": "on"})
    assert COOKIE not in client.cookies
    assert not TrustedBrowser.objects.exists()


def test_superusers_are_not_offered_it_unless_the_setting_says_so() -> None:
    user = make_user("root", is_staff=True, is_superuser=True)
    enrol(user)
    client = Client()
    sign_in(client, "root")
    assert "Trust this browser" not in client.get(VERIFY).content.decode()
    with override_settings(PRODREADY_OTP_TRUSTED_BROWSER_SUPERUSERS=True):
        assert "Trust this browser for 30 days" in client.get(VERIFY).content.decode()


def test_a_password_change_ends_it() -> None:
    user, _device, client = trusting()
    user.set_password(PASSWORD)  # the same password, hashed anew: the hash changed
    user.save()
    assert not skips_the_code(client)
    assert not TrustedBrowser.objects.exists()


def test_adding_or_removing_a_device_ends_it() -> None:
    user, _device, client = trusting()
    enrol(make_user("other"))  # someone else's devices do not matter
    assert skips_the_code(client)
    EncryptedTOTPDevice.objects.create(
        user=user, name="Tablet", encrypted_key="x", confirmed=False
    )
    assert skips_the_code(client)  # not confirmed: not one of the user's devices
    EncryptedTOTPDevice.objects.filter(user=user, name="Tablet").update(confirmed=True)
    assert not skips_the_code(client)


def test_another_users_cookie_or_a_forged_one_does_nothing() -> None:
    _ada, _device, client = trusting()
    bob = make_user("bob", is_staff=True)
    enrol(bob)
    assert sign_in(client, "bob")["Location"].startswith(VERIFY)
    assert client.get(VERIFY).status_code == 200  # bob must enter his code
    forged = Client()
    forged.cookies[COOKIE] = client.cookies[COOKIE].value.replace(":", ";", 1)
    sign_in(forged, "ada")
    assert forged.get(VERIFY).status_code == 200


def test_listed_on_the_sessions_page_and_ended_there(audit_events: list[AuditEvent]) -> None:
    _user, _device, client = trusting()
    page = client.get(SESSIONS).content.decode()
    assert "Trusted browsers" in page
    assert "Firefox" in page
    [row] = TrustedBrowser.objects.all()
    assert client.post(SESSIONS, {"trusted_browser": "x"}).status_code == 302
    assert TrustedBrowser.objects.exists()  # a value that names no browser ends none
    assert client.post(SESSIONS, {"trusted_browser": str(row.pk)}).status_code == 302
    assert not TrustedBrowser.objects.exists()
    assert "Trusted browsers" not in client.get(SESSIONS).content.decode()
    [event] = [e for e in audit_events if e.action == "otp.trusted_browsers_ended"]
    assert event.data == {"count": 1}
    assert not skips_the_code(client)


def test_signing_out_everywhere_ends_it() -> None:
    _user, _device, client = trusting()
    assert client.post(SESSIONS, {"revoke_others": ""}).status_code == 302
    assert not TrustedBrowser.objects.exists()
    assert not skips_the_code(client)
