"""Several named devices per user, one policy: add, list with last use, remove with a code."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client, override_settings

from prodready.events import AuditEvent
from prodready_security.otp import devices, user_devices
from prodready_security.otp.models import BackupCodeDevice, EncryptedTOTPDevice
from tests.otp_support import enforcing_middleware, enrol, fresh_code, make_user, wrong_code

pytestmark = [pytest.mark.urls("tests.otp_support"), pytest.mark.django_db]

MANAGE = "/account/2fa/"
ADD = "/account/2fa/devices/add-app/"


@pytest.fixture(autouse=True)
def settings_for_tests() -> Iterator[None]:
    with override_settings(
        MIDDLEWARE=enforcing_middleware(), LOGIN_REDIRECT_URL="/", PRODREADY_OTP_THROTTLE_FACTOR=0
    ):
        yield


def signed_in(username: str, **flags: Any) -> tuple[Any, EncryptedTOTPDevice, list[str], Client]:
    """A user with 2FA on, signed in and verified with their app."""
    user = make_user(username, **flags)
    device, codes = enrol(user)
    client = Client()
    client.force_login(user)
    assert client.post("/account/2fa/verify/", {"code": fresh_code(device)}).status_code == 302
    return user, device, codes, client


def add_second_app(user: Any, client: Client, name: str = "Work phone") -> EncryptedTOTPDevice:
    assert client.get(ADD).status_code == 200
    pending = EncryptedTOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(ADD, {"name": name, "code": fresh_code(pending)})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.confirmed
    return pending


def remove_url(kind: str, device: Any) -> str:
    return f"/account/2fa/devices/{kind}/{device.pk}/remove/"


def test_a_second_app_is_added_named_listed_and_signs_in(
    audit_events: list[AuditEvent],
) -> None:
    user, first, _codes, client = signed_in("ada", is_staff=True)
    second = add_second_app(user, client)
    assert [d.name for d in devices.totp_devices(user)] == ["Authenticator app", "Work phone"]
    [event] = [e for e in audit_events if e.action == "otp.device_added"]
    assert event.data == {"kind": "app", "name": "Work phone"}
    html = client.get(MANAGE).content.decode()
    assert "Work phone" in html
    assert f'href="{remove_url("app", second)}"' in html
    assert f'href="{remove_url("app", first)}"' in html
    # Either app's code signs in, and each shows when it was last used.
    for device in (first, second):
        other = Client()
        other.force_login(user)
        assert other.post("/account/2fa/verify/", {"code": fresh_code(device)}).status_code == 302
        device.refresh_from_db()
        assert device.last_used_at is not None
    assert client.get(MANAGE).content.decode().count(">never<") == 1  # the backup codes


def test_an_app_is_added_only_with_a_code_it_shows(audit_events: list[AuditEvent]) -> None:
    user, first, _codes, client = signed_in("ada", is_staff=True)
    client.get(ADD)
    # A code of the app already there is not one of the new app.
    response = client.post(ADD, {"name": "Tablet", "code": fresh_code(first)})
    assert response.status_code == 200
    assert "That code is not valid" in response.content.decode()
    assert len(devices.totp_devices(user)) == 1
    assert not [e for e in audit_events if e.action == "otp.device_added"]


def test_adding_an_app_needs_a_verified_session() -> None:
    user = make_user("ada", is_staff=True)
    enrol(user)
    client = Client()
    client.force_login(user)
    response = client.get(ADD)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/2fa/verify/")


def test_removing_an_app_needs_a_current_code(audit_events: list[AuditEvent]) -> None:
    user, first, _codes, client = signed_in("ada", is_staff=True)
    second = add_second_app(user, client)
    response = client.post(remove_url("app", first), {"code": wrong_code(second)})
    assert response.status_code == 200
    assert EncryptedTOTPDevice.objects.filter(pk=first.pk).exists()
    assert [e.data["reason"] for e in audit_events if e.action == "otp.failed"] == ["wrong"]
    response = client.post(remove_url("app", first), {"code": fresh_code(second)})
    assert response.status_code == 302
    assert not EncryptedTOTPDevice.objects.filter(pk=first.pk).exists()
    [event] = [e for e in audit_events if e.action == "otp.device_removed"]
    assert event.data == {"kind": "app", "name": "Authenticator app"}
    # The session, verified with the removed app, is now verified by the other one.
    assert client.get("/").content == b"welcome home"


def test_the_last_app_of_a_user_who_must_use_2fa_is_not_removed(
    audit_events: list[AuditEvent],
) -> None:
    _user, device, codes, client = signed_in("ada", is_staff=True)
    page = client.get(remove_url("app", device)).content.decode()
    assert "your last way to sign in with a second factor" in page
    assert 'href="/account/2fa/devices/add-app/"' in page
    response = client.post(remove_url("app", device), {"code": codes[0]})
    assert response.status_code == 409
    assert EncryptedTOTPDevice.objects.filter(pk=device.pk).exists()
    assert devices.remaining_backup_codes(device.user) == 10  # the code was not even used
    assert not [e for e in audit_events if e.action == "otp.device_removed"]


def test_a_concurrent_removal_cannot_leave_no_app() -> None:
    user, first, _codes, client = signed_in("ada", is_staff=True)
    second = add_second_app(user, client)
    both = [user_devices.find(user, "app", d.pk) for d in (first, second)]
    assert None not in both
    # Both checked while two apps remained; the second removal re-checks under the lock.
    assert [user_devices.refusal(user, d) for d in both if d] == [None, None]
    user_devices.remove(None, user, both[0])  # type: ignore[arg-type]
    with pytest.raises(user_devices.Refused):
        user_devices.remove(None, user, both[1])  # type: ignore[arg-type]
    assert devices.totp_devices(user) == [second]


def test_backup_codes_are_removed_while_an_app_remains(audit_events: list[AuditEvent]) -> None:
    user, device, _codes, client = signed_in("ada", is_staff=True)
    backup = BackupCodeDevice.objects.get(user=user)
    response = client.post(remove_url("backup", backup), {"code": fresh_code(device)})
    assert response.status_code == 302
    assert not BackupCodeDevice.objects.filter(user=user).exists()
    assert devices.is_enrolled(user)
    [event] = [e for e in audit_events if e.action == "otp.device_removed"]
    assert event.data == {"kind": "backup", "name": "Backup codes"}


def test_removing_the_last_app_of_a_user_free_to_go_without_turns_2fa_off(
    audit_events: list[AuditEvent],
) -> None:
    user, device, _codes, client = signed_in("bob")
    response = client.post(remove_url("app", device), {"code": fresh_code(device)})
    assert response.status_code == 302
    assert not devices.is_enrolled(user)
    assert not BackupCodeDevice.objects.filter(user=user).exists()
    removed = [e.data["kind"] for e in audit_events if e.action == "otp.device_removed"]
    assert removed == ["app", "backup"]
    assert client.get("/").content == b"welcome home"
    assert "Two-factor authentication is off" in client.get(MANAGE).content.decode()


@pytest.mark.parametrize("kind", ["app", "backup", "passkey", "%00"])
def test_another_users_or_an_unknown_device_is_not_found(kind: str) -> None:
    _ada, _device, _codes, client = signed_in("ada", is_staff=True)
    carol = make_user("carol")
    theirs, _ = enrol(carol)
    target = theirs if kind == "app" else BackupCodeDevice.objects.get(user=carol)
    response = client.post(f"/account/2fa/devices/{kind}/{target.pk}/remove/", {"code": "1"})
    assert response.status_code == 404
    assert EncryptedTOTPDevice.objects.filter(pk=theirs.pk).exists()


def test_a_guess_is_checked_against_every_app_and_throttles_them_all() -> None:
    user, first, _codes, client = signed_in("ada", is_staff=True)
    second = add_second_app(user, client)
    with override_settings(PRODREADY_OTP_THROTTLE_FACTOR=10):
        assert not devices.check_code(user, wrong_code(first)).ok
        for device in (first, second):
            device.refresh_from_db()
            assert device.throttling_failure_count == 1
        refused = devices.check_code(user, fresh_code(second))
    assert refused.reason == "throttled"
