"""The admin lists 2FA devices without their secrets and can delete one to reset 2FA."""

from __future__ import annotations

import pytest
from django.test import Client

from prodready_security.otp import devices, qr
from prodready_security.otp.models import EncryptedTOTPDevice
from tests.otp_support import enrol, make_user

pytestmark = [pytest.mark.urls("tests.otp_support"), pytest.mark.django_db]

CHANGELIST = "/admin/prodready_security/encryptedtotpdevice/"


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    return client


def test_devices_are_listed_without_secrets(admin_client: Client) -> None:
    device, _codes = enrol(make_user("ada"))
    listing = admin_client.get(CHANGELIST).content.decode()
    detail = admin_client.get(f"{CHANGELIST}{device.pk}/change/").content.decode()
    for html in (listing, detail):
        assert "ada" in html
        assert device.encrypted_key not in html
        assert qr.base32_key(device.secret) not in html
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403


def test_deleting_a_device_resets_2fa(admin_client: Client) -> None:
    user = make_user("ada")
    device, _codes = enrol(user)
    admin_client.post(f"{CHANGELIST}{device.pk}/delete/", {"post": "yes"})
    assert not EncryptedTOTPDevice.objects.exists()
    assert not devices.is_enrolled(user)
