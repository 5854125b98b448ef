"""The helper that lets a project's tests pass enforced 2FA."""

import pytest
from django.test import override_settings

from prodready_security.testing import force_login_verified
from tests.otp_support import enforcing_middleware, make_user

pytestmark = [pytest.mark.urls("tests.otp_support"), pytest.mark.django_db]


def test_a_verified_staff_user_reaches_pages_without_being_sent_to_2fa(client):
    staff = make_user("ada", is_staff=True)
    with override_settings(MIDDLEWARE=enforcing_middleware()):
        client.force_login(staff)
        assert client.get("/").status_code == 302  # enforcement is on: sent to set up
        device = force_login_verified(client, staff)
        response = client.get("/")
    assert response.status_code == 200
    assert response.content == b"welcome home"
    assert device.confirmed


def test_an_enrolled_user_keeps_their_device(client):
    staff = make_user("ada", is_staff=True)
    first = force_login_verified(client, staff)
    assert force_login_verified(client, staff).pk == first.pk
