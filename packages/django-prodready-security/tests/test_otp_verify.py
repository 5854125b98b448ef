"""Codes are refused when wrong, replayed, expired or guessed too fast; backup codes work once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from prodready.events import AuditEvent
from prodready_security.otp import devices
from prodready_security.otp.models import EncryptedTOTPDevice
from tests.otp_support import (
    code_at,
    enforcing_middleware,
    enrol,
    fresh_code,
    make_user,
    wrong_code,
)

pytestmark = [pytest.mark.urls("tests.otp_support"), pytest.mark.django_db]

VERIFY = "/account/2fa/verify/"


@pytest.fixture(autouse=True)
def enforced() -> Iterator[None]:
    with override_settings(MIDDLEWARE=enforcing_middleware(), LOGIN_REDIRECT_URL="/"):
        yield


@pytest.fixture
def staff() -> Any:
    return make_user("ada", is_staff=True)


@pytest.fixture
def device(staff: Any) -> EncryptedTOTPDevice:
    return enrol(staff)[0]


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def verified(client: Client) -> bool:
    return client.get("/").content == b"welcome home"


def unthrottle(device: Any) -> None:
    """Move the last failure into the past, as if the back-off had been waited out."""
    type(device).objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(days=1)
    )


def test_a_wrong_code_is_refused_and_audited(
    staff: Any, device: EncryptedTOTPDevice, audit_events: list[AuditEvent]
) -> None:
    client = signed_in(staff)
    response = client.post(VERIFY, {"code": wrong_code(device)})
    assert response.status_code == 200
    assert "That code is not valid" in response.content.decode()
    assert not verified(client)
    failed = [e for e in audit_events if e.action == "otp.failed"]
    assert [(e.actor, e.data) for e in failed] == [(staff, {"method": "totp", "reason": "wrong"})]


def test_a_replayed_code_is_refused(staff: Any, device: EncryptedTOTPDevice) -> None:
    code = fresh_code(device)
    first = signed_in(staff)
    first.post(VERIFY, {"code": code})
    assert verified(first)

    second = signed_in(staff)  # someone who saw the code, in another session
    response = second.post(VERIFY, {"code": code})
    assert "That code is not valid" in response.content.decode()
    assert not verified(second)


def test_an_expired_code_is_refused(staff: Any, device: EncryptedTOTPDevice) -> None:
    client = signed_in(staff)
    now = time.time()
    current = {code_at(device, now + offset * 30) for offset in (-1, 0, 1)}
    # Three steps back is outside the one-step tolerance (skip past a chance collision).
    old = next(
        code for back in range(3, 10) if (code := code_at(device, now - back * 30)) not in current
    )
    client.post(VERIFY, {"code": old})
    assert not verified(client)


def test_a_code_from_the_previous_step_is_still_accepted(
    staff: Any, device: EncryptedTOTPDevice
) -> None:
    client = signed_in(staff)
    client.post(VERIFY, {"code": code_at(device, time.time() - 30)})
    assert verified(client), "one step of clock skew is tolerated"


def test_guessing_is_throttled_even_for_the_right_code(
    staff: Any, device: EncryptedTOTPDevice, audit_events: list[AuditEvent]
) -> None:
    client = signed_in(staff)
    client.post(VERIFY, {"code": wrong_code(device)})
    response = client.post(VERIFY, {"code": fresh_code(device)})
    assert "Too many wrong codes" in response.content.decode()
    assert not verified(client)
    assert audit_events[-1].data == {"method": "totp", "reason": "throttled"}

    unthrottle(device)
    client.post(VERIFY, {"code": fresh_code(device)})
    assert verified(client)


def test_the_back_off_doubles_with_each_failure(staff: Any, device: EncryptedTOTPDevice) -> None:
    for _ in range(3):
        unthrottle(device)
        devices.check_code(staff, wrong_code(device))
    device.refresh_from_db()
    assert device.throttling_failure_count == 3
    allowed, details = device.verify_is_allowed()
    assert not allowed
    wait = (details["locked_until"] - device.throttling_failure_timestamp).total_seconds()
    assert wait == 4  # 1, 2, 4 seconds: django-otp's back-off with a factor of 1


def test_malformed_codes_are_refused(staff: Any, device: EncryptedTOTPDevice) -> None:
    code = fresh_code(device)
    for attempt in (f" {code}0", code[:-1], "abcdef", ""):
        unthrottle(device)
        assert not devices.check_code(staff, attempt).ok
    unthrottle(device)
    assert devices.check_code(staff, f" {code} ").ok, "surrounding spaces are forgiven"


def test_a_backup_code_works_once(staff: Any, audit_events: list[AuditEvent]) -> None:
    _device, codes = enrol(staff)
    first = signed_in(staff)
    first.post(VERIFY, {"code": codes[0]})
    assert verified(first)
    used = [e for e in audit_events if e.action == "otp.backup_code_used"]
    assert [e.data for e in used] == [{"remaining": 9}]

    again = signed_in(staff)
    response = again.post(VERIFY, {"code": codes[0]})
    assert "already used" in response.content.decode()
    assert not verified(again)
    assert audit_events[-1].action == "otp.failed"
    assert audit_events[-1].data == {"method": "backup", "reason": "wrong"}


def test_backup_codes_are_forgiving_about_case_and_spaces(staff: Any) -> None:
    _device, codes = enrol(staff)
    client = signed_in(staff)
    client.post(VERIFY, {"code": " " + codes[1].upper().replace("-", " ") + " "})
    assert verified(client)


def test_running_low_on_backup_codes_is_pointed_out(staff: Any) -> None:
    _device, codes = enrol(staff)
    for code in codes[:8]:
        assert devices.check_code(staff, code).ok
    client = signed_in(staff)
    client.post(VERIFY, {"code": codes[8]})
    assert "You have 1 backup code left." in client.get("/account/2fa/").content.decode()


def test_a_secret_no_key_can_decrypt_is_refused_without_an_error_page(
    staff: Any, device: EncryptedTOTPDevice
) -> None:
    code = fresh_code(device)
    client = signed_in(staff)
    with override_settings(
        PRODREADY_OTP_ENCRYPTION_KEYS=["HHdjZOswOPYXQKUmhE0-k-n34SXdVxRKcdv-ShaXRhs="]
    ):
        response = client.post(VERIFY, {"code": code})
    assert response.status_code == 200
    assert "encryption keys changed" in response.content.decode()
    assert not verified(client)
