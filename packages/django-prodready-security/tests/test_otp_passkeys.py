"""Passkeys: added from the 2FA pages, verifying a session, signing in without a password,
removed like any device; a replayed answer and a cloned passkey (counter back) refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client, override_settings

from prodready.events import AuditEvent
from prodready_security.otp import devices
from prodready_security.otp.models import PasskeyDevice
from tests.otp_support import enforcing_middleware, enrol, fresh_code, make_user
from tests.passkey_support import PASSKEY_SETTINGS, SoftPasskey

pytestmark = [pytest.mark.urls("tests.otp_support"), pytest.mark.django_db]

ADD = "/account/2fa/devices/add-passkey/"
VERIFY = "/account/2fa/verify/"
PASSKEY_VERIFY = "/account/2fa/passkey/verify/"
SIGN_IN = "/account/2fa/passkey/sign-in/"


@pytest.fixture(autouse=True)
def settings_for_tests() -> Iterator[None]:
    with override_settings(
        MIDDLEWARE=enforcing_middleware(),
        LOGIN_REDIRECT_URL="/",
        PRODREADY_OTP_THROTTLE_FACTOR=0,
        **PASSKEY_SETTINGS,
    ):
        yield


def with_passkey(username: str = "ada") -> tuple[Any, Any, SoftPasskey, Client]:
    """A staff user with an app, signed in and verified, who then added a passkey."""
    user = make_user(username, is_staff=True)
    app, _codes = enrol(user)
    client = Client()
    client.force_login(user)
    assert client.post(VERIFY, {"code": fresh_code(app)}).status_code == 302
    passkey = SoftPasskey()
    options = client.get(ADD).context["options"]
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    assert options["attestation"] == "none"
    response = client.post(ADD, {"name": "Laptop", "credential": passkey.create(options)})
    assert response.status_code == 302, response.content
    return user, app, passkey, client


def verify_with(client: Client, passkey: SoftPasskey, count: int) -> Any:
    options = client.get(VERIFY).context["passkey_options"]
    return client.post(PASSKEY_VERIFY, {"credential": passkey.get(options, count), "next": "/"})


def is_verified(client: Client) -> bool:
    return client.get("/open/").status_code == 200  # enforcement redirects until verified


def test_a_passkey_is_added_listed_and_verifies_a_new_session(
    audit_events: list[AuditEvent],
) -> None:
    user, _app, passkey, client = with_passkey()
    device = PasskeyDevice.objects.get(user=user)
    assert (device.name, device.confirmed, device.sign_count) == ("Laptop", True, 0)
    assert [e.data["kind"] for e in audit_events if e.action == "otp.device_added"] == ["passkey"]
    page = client.get("/account/2fa/").content.decode()
    assert "Laptop" in page
    assert "Passkey" in page

    client.logout()
    client.force_login(user)
    assert not is_verified(client)
    response = verify_with(client, passkey, count=1)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert is_verified(client)
    device.refresh_from_db()
    assert device.sign_count == 1
    assert device.last_used_at is not None
    [used] = [e for e in audit_events if e.action == "otp.passkey_used"]
    assert used.data == {"name": "Laptop", "passwordless": False}


def test_a_cloned_passkey_whose_counter_went_back_is_refused(
    audit_events: list[AuditEvent],
) -> None:
    user, _app, passkey, client = with_passkey()
    client.logout()
    client.force_login(user)
    assert verify_with(client, passkey, count=5).status_code == 302
    client.logout()
    client.force_login(user)
    # The copy signs correctly, but its counter is behind the original's.
    for count in (3, 5):
        response = verify_with(client, passkey, count=count)
        assert response["Location"].startswith(VERIFY)
        assert not is_verified(client)
    assert PasskeyDevice.objects.get(user=user).sign_count == 5
    reasons = [e.data["reason"] for e in audit_events if e.action == "otp.failed"]
    assert reasons == ["counter_regressed", "counter_regressed"]
    page = client.get(VERIFY).content.decode()
    assert "use counter went backwards" in page
    assert verify_with(client, passkey, count=6).status_code == 302
    assert is_verified(client)


def test_an_answer_is_accepted_once(audit_events: list[AuditEvent]) -> None:
    user, _app, passkey, client = with_passkey()
    client.logout()
    client.force_login(user)
    options = client.get(VERIFY).context["passkey_options"]
    answer = passkey.get(options, 1)
    assert client.post(PASSKEY_VERIFY, {"credential": answer}).status_code == 302
    client.logout()
    client.force_login(user)
    client.post(PASSKEY_VERIFY, {"credential": answer})  # its challenge was used up
    assert not is_verified(client)
    assert [e.data["reason"] for e in audit_events if e.action == "otp.failed"] == ["expired"]


def test_another_users_passkey_does_not_verify() -> None:
    _user, _app, passkey, _client = with_passkey("ada")
    other, _other_app = make_user("bob", is_staff=True), None
    _other_app, _codes = enrol(other)
    client = Client()
    client.force_login(other)
    options = client.get(VERIFY).context.get("passkey_options")
    assert options is None  # bob has no passkey: the page offers none
    with override_settings():
        # An answer of ada's passkey, to a challenge bob's session asked for.
        from prodready_security.otp import passkeys

        request = client.get(VERIFY).wsgi_request
        challenge = passkeys.authentication_options(request)
        request.session.save()
        client.cookies["sessionid"] = request.session.session_key
        client.post(PASSKEY_VERIFY, {"credential": passkey.get(challenge, 1)})
    assert not is_verified(client)


def test_garbage_is_refused_without_an_error() -> None:
    user, _app, _passkey, client = with_passkey()
    client.logout()
    client.force_login(user)
    client.get(VERIFY)
    for junk in ("", "{", "[]", '{"id": "x"}', "null"):
        response = client.post(PASSKEY_VERIFY, {"credential": junk})
        assert response.status_code == 302
        assert not is_verified(client)
    assert client.post(ADD, {"name": "x", "credential": "{"}).status_code == 302  # to verify


def test_the_last_passkey_is_removed_with_a_code_and_2fa_stays_on(
    audit_events: list[AuditEvent],
) -> None:
    user, app, _passkey, client = with_passkey()
    device = PasskeyDevice.objects.get(user=user)
    url = f"/account/2fa/devices/passkey/{device.pk}/remove/"
    assert client.post(url, {"code": "000000"}).status_code == 200
    assert PasskeyDevice.objects.filter(pk=device.pk).exists()
    assert client.post(url, {"code": fresh_code(app)}).status_code == 302
    assert not PasskeyDevice.objects.filter(pk=device.pk).exists()
    assert devices.is_enrolled(user)
    removed = [e.data for e in audit_events if e.action == "otp.device_removed"]
    assert removed == [{"kind": "passkey", "name": "Laptop"}]


def test_a_passkey_alone_keeps_a_user_enrolled() -> None:
    user, app, _passkey, client = with_passkey()
    url = f"/account/2fa/devices/app/{app.pk}/remove/"
    assert client.post(url, {"code": fresh_code(app)}).status_code == 302
    assert devices.is_enrolled(user)  # the passkey signs in: 2FA is still on


def test_passwordless_sign_in_satisfies_enforced_2fa(audit_events: list[AuditEvent]) -> None:
    user, _app, passkey, _client = with_passkey()
    client = Client()
    assert client.get(SIGN_IN).status_code == 404  # off by default
    with override_settings(PRODREADY_OTP_PASSKEY_SIGN_IN=True):
        # Without user verification (no PIN or fingerprint) a passkey is one factor only.
        options = client.get(SIGN_IN).context["options"]
        assert options["allowCredentials"] == []  # a resident key: the browser finds it
        response = client.post(SIGN_IN, {"credential": passkey.get(options, 1, verified=False)})
        assert response.status_code == 200
        assert not client.get("/open/").wsgi_request.user.is_authenticated
        options = client.get(SIGN_IN).context["options"]
        response = client.post(SIGN_IN, {"credential": passkey.get(options, 2), "next": "/open/"})
        assert response.status_code == 302
        assert response["Location"] == "/open/"
    assert is_verified(client)
    assert client.get("/open/").wsgi_request.user == user
    used = [e.data for e in audit_events if e.action == "otp.passkey_used"]
    assert used == [{"name": "Laptop", "passwordless": True}]


def test_passkey_pages_are_gone_when_passkeys_are_off() -> None:
    user, _app, _passkey, client = with_passkey()
    with override_settings(PRODREADY_OTP_WEBAUTHN_RP_ID=None):
        assert client.get(ADD).status_code == 404
        client.logout()
        client.force_login(user)
        assert "passkey_options" not in client.get(VERIFY).context
