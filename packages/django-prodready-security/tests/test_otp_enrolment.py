"""Enforced enrolment: setup, then verification, before any page, the admin included."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client, override_settings
from django.utils import translation

from prodready_security.otp import qr
from prodready_security.otp.models import BackupCodeDevice, EncryptedTOTPDevice
from tests.otp_support import (
    code_at,
    enforcing_middleware,
    enrol,
    fresh_code,
    make_user,
    wrong_code,
)

pytestmark = [pytest.mark.urls("tests.otp_support"), pytest.mark.django_db]

SETUP = "/account/2fa/setup/"
VERIFY = "/account/2fa/verify/"


@pytest.fixture(autouse=True)
def enforced() -> Iterator[None]:
    with override_settings(MIDDLEWARE=enforcing_middleware(), LOGIN_REDIRECT_URL="/"):
        yield


def test_full_enrolment_flow(client: Client) -> None:
    staff = make_user("ada", is_staff=True)
    client.force_login(staff)

    response = client.get("/")
    assert response.status_code == 302
    assert response.url == f"{SETUP}?next=%2F"

    page = client.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r"<svg[^>]*pr-otp-qr", html), "the QR code is inline SVG"
    assert "<img" not in html
    assert re.findall(r'(?:src|href)="https?:', html) == [], "nothing loaded from elsewhere"
    device = EncryptedTOTPDevice.objects.get(user=staff)
    assert not device.confirmed
    assert qr.manual_key(device.secret) in html

    done = client.post(SETUP, {"code": fresh_code(device), "next": "/"})
    assert done.status_code == 200
    codes = re.findall(r"<li>([a-z2-7]{4}(?:-[a-z2-7]{4}){3})</li>", done.content.decode())
    assert len(codes) == 10
    assert done["Cache-Control"].startswith("max-age=0")

    assert client.get("/").content == b"welcome home"
    assert client.get("/admin/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_setup_page_and_its_errors_speak_polish(client: Client) -> None:
    staff = make_user("ada", is_staff=True)
    client.force_login(staff)
    with translation.override("pl"):
        page = client.get(SETUP).content.decode()
        wrong = wrong_code(EncryptedTOTPDevice.objects.get(user=staff))
        refused = client.post(SETUP, {"code": wrong, "next": "/"}).content.decode()
    assert '<html lang="pl">' in page
    assert "<h1>Skonfiguruj uwierzytelnianie dwuskładnikowe</h1>" in page
    assert "Kod z aplikacji uwierzytelniającej" in page
    assert "Ten kod jest nieprawidłowy. Kody zmieniają się co 30 sekund" in refused


def test_reloading_setup_keeps_the_same_secret(client: Client) -> None:
    client.force_login(make_user("ada", is_staff=True))
    first = client.get(SETUP).content.decode()
    device = EncryptedTOTPDevice.objects.get()
    second = client.get(SETUP).content.decode()
    assert qr.manual_key(device.secret) in first
    assert qr.manual_key(device.secret) in second
    assert _svg(first) == _svg(second)
    assert EncryptedTOTPDevice.objects.count() == 1


def test_a_wrong_code_at_setup_enables_nothing(client: Client) -> None:
    staff = make_user("ada", is_staff=True)
    client.force_login(staff)
    client.get(SETUP)
    response = client.post(SETUP, {"code": "12345"})
    assert response.status_code == 200
    assert "That code is not valid" in response.content.decode()
    assert not EncryptedTOTPDevice.objects.filter(confirmed=True).exists()
    assert not BackupCodeDevice.objects.exists()
    assert client.get("/").status_code == 302


def test_an_enrolled_user_verifies_at_the_next_sign_in(client: Client) -> None:
    staff = make_user("ada", is_staff=True)
    device, _codes = enrol(staff)
    client.force_login(staff)

    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url == f"{VERIFY}?next=%2Fadmin%2F"
    assert client.get(SETUP).url.startswith(VERIFY), "setup sends an enrolled user to verify"

    verified = client.post(VERIFY, {"code": fresh_code(device), "next": "/admin/"})
    assert verified.status_code == 302
    assert verified.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_verifying_starts_a_new_session(client: Client) -> None:
    staff = make_user("ada", is_staff=True)
    device, _codes = enrol(staff)
    client.force_login(staff)
    before = client.session.session_key
    client.post(VERIFY, {"code": fresh_code(device)})
    assert client.session.session_key != before


def test_next_must_stay_on_this_site(client: Client) -> None:
    staff = make_user("ada", is_staff=True)
    device, _codes = enrol(staff)
    client.force_login(staff)
    response = client.post(VERIFY, {"code": fresh_code(device), "next": "https://evil.example/"})
    assert response.url == "/"


@pytest.mark.parametrize(
    ("flags", "required_for", "groups", "redirected"),
    [
        ({"is_staff": True}, ["superusers", "staff"], [], True),
        ({"is_superuser": True}, ["superusers"], [], True),
        ({"is_staff": True}, ["superusers"], [], False),
        ({}, ["superusers", "staff"], [], False),
        ({}, ["all"], [], True),
        ({}, [], ["tutors"], True),
        ({}, [], ["other"], False),
    ],
)
def test_who_must_enrol(
    client: Client,
    flags: dict[str, bool],
    required_for: list[str],
    groups: list[str],
    redirected: bool,
) -> None:
    user = make_user("ada", **flags)
    user.groups.add(Group.objects.create(name="tutors"))
    client.force_login(user)
    with override_settings(
        PRODREADY_OTP_REQUIRED_FOR=required_for, PRODREADY_OTP_REQUIRED_GROUPS=groups
    ):
        response = client.get("/")
    if redirected:
        assert response.url.startswith(SETUP)
    else:
        assert response.content == b"welcome home"


def test_anonymous_visitors_are_left_alone(client: Client) -> None:
    assert client.get("/").content == b"welcome home"


def test_a_user_who_chose_2fa_must_verify_even_when_not_required(client: Client) -> None:
    user = make_user("ada")
    enrol(user)
    client.force_login(user)
    assert client.get("/").url.startswith(VERIFY)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/accounts/logout/"),
        ("post", "/admin/logout/"),
        ("get", "/static/site.css"),
        ("get", "/health/live"),
        ("get", "/health/ready"),
        ("post", "/security/csp/report/"),
        ("get", VERIFY),
    ],
)
def test_exempt_pages_are_reachable_before_2fa(client: Client, method: str, path: str) -> None:
    staff = make_user("ada", is_staff=True)
    enrol(staff)  # enrolled, so the one page it must not be sent away from is verify
    client.force_login(staff)
    response = getattr(client, method)(path)
    assert not _sent_to_2fa(response, except_path=path)


def test_the_detailed_health_view_waits_for_2fa(client: Client) -> None:
    """Staff see file paths and error names there: a password alone must not show them."""
    staff = make_user("ada", is_staff=True)
    enrol(staff)
    client.force_login(staff)
    response = client.get("/health/")
    assert response.status_code == 302
    assert response.url.startswith(f"{VERIFY}?next=%2Fhealth%2F")


def test_setup_is_reachable_before_2fa(client: Client) -> None:
    client.force_login(make_user("ada", is_staff=True))
    assert client.get(SETUP).status_code == 200


@pytest.mark.parametrize(
    "exemption",
    [{"PRODREADY_OTP_EXEMPT_PATHS": ["/open/"]}, {"PRODREADY_OTP_EXEMPT_URL_NAMES": ["open"]}],
)
def test_projects_add_exemptions(client: Client, exemption: dict[str, list[str]]) -> None:
    client.force_login(make_user("ada", is_staff=True))
    assert client.get("/open/").status_code == 302
    with override_settings(**exemption):
        assert client.get("/open/").content == b"welcome home"
        assert client.get("/").status_code == 302, "only the exempt page"


def test_a_code_of_the_setup_secret_from_long_ago_does_not_enable(client: Client) -> None:
    client.force_login(make_user("ada", is_staff=True))
    client.get(SETUP)
    device = EncryptedTOTPDevice.objects.get()
    client.post(SETUP, {"code": code_at(device, time.time() - 300)})
    device.refresh_from_db()
    assert not device.confirmed


def _sent_to_2fa(response: Any, except_path: str) -> bool:
    location = response.get("Location", "")
    return (
        response.status_code == 302 and "/account/2fa/" in location and except_path not in location
    )


def _svg(html: str) -> str:
    found = re.search(r"<svg.*?</svg>", html, re.S)
    assert found is not None
    return found.group(0)


def test_an_unfinished_setup_whose_key_was_retired_starts_over(client: Client) -> None:
    client.force_login(make_user("ada", is_staff=True))
    client.get(SETUP)
    stale = EncryptedTOTPDevice.objects.get()
    with override_settings(
        PRODREADY_OTP_ENCRYPTION_KEYS=["HHdjZOswOPYXQKUmhE0-k-n34SXdVxRKcdv-ShaXRhs="]
    ):
        response = client.get(SETUP)
        fresh = EncryptedTOTPDevice.objects.get()
        assert qr.manual_key(fresh.secret) in response.content.decode()
    assert response.status_code == 200
    assert fresh.pk != stale.pk


def test_setup_without_encryption_keys_says_so(client: Client) -> None:
    client.force_login(make_user("ada", is_staff=True))
    with override_settings(PRODREADY_OTP_ENCRYPTION_KEYS=[]):
        response = client.get(SETUP)
    assert response.status_code == 503
    assert "an administrator must configure an encryption key" in response.content.decode()
    assert not EncryptedTOTPDevice.objects.exists()
