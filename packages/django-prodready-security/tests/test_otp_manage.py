"""The 2FA settings page: new backup codes, and turning 2FA off with password and code."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client, override_settings

from prodready.events import AuditEvent
from prodready_security.otp import devices
from prodready_security.otp.models import BackupCode, BackupCodeDevice, EncryptedTOTPDevice
from tests.otp_support import PASSWORD, enforcing_middleware, enrol, fresh_code, make_user

pytestmark = [pytest.mark.urls("tests.otp_support"), pytest.mark.django_db]

MANAGE = "/account/2fa/"
DISABLE = "/account/2fa/disable/"
REGENERATE = "/account/2fa/backup-codes/"


@pytest.fixture(autouse=True)
def settings_for_tests() -> Iterator[None]:
    # No back-off here: these tests make several attempts in a row on purpose.
    with override_settings(
        MIDDLEWARE=enforcing_middleware(), LOGIN_REDIRECT_URL="/", PRODREADY_OTP_THROTTLE_FACTOR=0
    ):
        yield


@pytest.fixture
def enrolled() -> tuple[Any, EncryptedTOTPDevice, list[str], Client]:
    """A staff user with 2FA, signed in and verified."""
    user = make_user("ada", is_staff=True)
    device, codes = enrol(user)
    client = Client()
    client.force_login(user)
    client.post("/account/2fa/verify/", {"code": fresh_code(device)})
    assert client.get("/").content == b"welcome home"
    return user, device, codes, client


def test_overview_shows_state_and_remaining_codes(enrolled: Any) -> None:
    _user, _device, _codes, client = enrolled
    html = client.get(MANAGE).content.decode()
    assert "10 unused backup codes left." in html
    assert 'href="/account/2fa/disable/"' in html


def test_overview_offers_setup_when_off(client: Client) -> None:
    client.force_login(make_user("bob"))
    html = client.get(MANAGE).content.decode()
    assert 'href="/account/2fa/setup/"' in html


@pytest.mark.parametrize(
    ("password", "use_code", "field"),
    [
        ("wrong password", True, "That is not your password."),
        (PASSWORD, False, "That code is not valid"),
        ("", True, "This field is required."),
    ],
)
def test_disable_needs_the_password_and_a_current_code(
    enrolled: Any, audit_events: list[AuditEvent], password: str, use_code: bool, field: str
) -> None:
    user, device, _codes, client = enrolled
    code = fresh_code(device) if use_code else "000000"
    response = client.post(DISABLE, {"password": password, "code": code})
    assert response.status_code == 200
    assert field in response.content.decode()
    assert devices.is_enrolled(user)
    assert "otp.disabled" not in [event.action for event in audit_events]


def test_disable_with_password_and_code(enrolled: Any, audit_events: list[AuditEvent]) -> None:
    user, device, _codes, client = enrolled
    response = client.post(DISABLE, {"password": PASSWORD, "code": fresh_code(device)})
    assert response.status_code == 302
    assert not EncryptedTOTPDevice.objects.filter(user=user).exists()
    assert not BackupCodeDevice.objects.filter(user=user).exists()
    assert [event.action for event in audit_events] == ["otp.disabled"]
    # Staff must use 2FA: the next page is setting it up again.
    assert client.get("/").url.startswith("/account/2fa/setup/")


def test_disable_accepts_a_backup_code_for_a_lost_phone(enrolled: Any) -> None:
    user, _device, codes, client = enrolled
    client.post(DISABLE, {"password": PASSWORD, "code": codes[0]})
    assert not devices.is_enrolled(user)


def test_disable_needs_a_verified_session(enrolled: Any) -> None:
    user, device, _codes, _client = enrolled
    unverified = Client()
    unverified.force_login(user)
    response = unverified.post(DISABLE, {"password": PASSWORD, "code": fresh_code(device)})
    assert response.url.startswith("/account/2fa/verify/")
    assert devices.is_enrolled(user)


def test_regenerate_replaces_every_code(enrolled: Any, audit_events: list[AuditEvent]) -> None:
    user, device, old_codes, client = enrolled
    response = client.post(REGENERATE, {"code": fresh_code(device)})
    html = response.content.decode()
    new_codes = re.findall(r"<li>([a-z2-7]{4}(?:-[a-z2-7]{4}){3})</li>", html)
    assert len(new_codes) == 10
    assert not set(new_codes) & set(old_codes)
    assert "shown only this once" in html
    assert [event.action for event in audit_events] == ["otp.backup_codes_regenerated"]
    assert not devices.check_code(user, old_codes[0]).ok
    assert devices.check_code(user, new_codes[0]).ok


def test_regenerate_needs_a_code_from_the_app(enrolled: Any) -> None:
    user, _device, codes, client = enrolled
    response = client.post(REGENERATE, {"code": codes[0]})
    assert "That code is not valid" in response.content.decode()
    assert BackupCode.objects.filter(device__user=user).count() == 10


def test_codes_are_shown_only_once(enrolled: Any) -> None:
    _user, _device, codes, client = enrolled
    for page in (MANAGE, REGENERATE, DISABLE):
        assert codes[0] not in client.get(page).content.decode()
