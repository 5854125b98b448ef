"""Helpers for a project's own tests when 2FA is enforced. For example::

from prodready_security.testing import force_login_verified


def test_dashboard(client, admin_user):
    force_login_verified(client, admin_user)
    assert client.get("/ops/").status_code == 200
"""

from __future__ import annotations

from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from prodready_security.otp import devices
from prodready_security.otp.models import EncryptedTOTPDevice


def force_login_verified(client: Client, user: Any) -> EncryptedTOTPDevice:
    """Log ``user`` in on ``client`` as if they had entered a code from their app.

    Enrols the user (an authenticator and backup codes) unless they already are, then
    marks the session verified the way ``django_otp.login`` does.
    """
    device = devices.totp_device(user)
    if device is None:
        device = EncryptedTOTPDevice.create_pending(user)
        devices.enable(device)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device
