"""A small site and helpers for the 2FA tests (``tests/test_otp_*``).

``urlpatterns`` is the site: ``@pytest.mark.urls("tests.otp_support")``.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django_otp.oath import TOTP

from prodready_security.otp import devices
from prodready_security.otp.models import EncryptedTOTPDevice

PASSWORD = "correct horse battery staple"
ENFORCEMENT = "prodready_security.otp.middleware.OTPEnforcementMiddleware"


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("welcome home")


urlpatterns = [
    path("", home, name="home"),
    path("open/", home, name="open"),
    path("accounts/login/", LoginView.as_view(template_name="admin/login.html"), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("account/2fa/", include("prodready_security.otp.urls")),
    path("account/sessions/", include("prodready_security.sessions.urls")),
    path("security/csp/", include("prodready_security.headers.urls")),
    path("", include("prodready.urls")),
]


def enforcing_middleware() -> list[str]:
    """The test settings' MIDDLEWARE with enforcement right after django-otp's middleware."""
    middleware = list(settings.MIDDLEWARE)
    position = middleware.index("django_otp.middleware.OTPMiddleware") + 1
    return [*middleware[:position], ENFORCEMENT, *middleware[position:]]


def make_user(username: str, **flags: Any) -> Any:
    return get_user_model().objects.create_user(username, password=PASSWORD, **flags)


def enrol(user: Any) -> tuple[EncryptedTOTPDevice, list[str]]:
    """A confirmed authenticator and fresh backup codes, without using up any code."""
    device = EncryptedTOTPDevice.create_pending(user)
    return device, devices.enable(device)


def code_at(device: EncryptedTOTPDevice, when: float) -> str:
    totp = TOTP(device.secret, device.step, device.t0, device.digits, 0)
    totp.time = when
    return f"{totp.token():0{device.digits}d}"


def fresh_code(device: EncryptedTOTPDevice) -> str:
    """A code the device accepts now: inside its window, later than the last one used."""
    device.refresh_from_db()
    now = time.time()
    step = int((now - device.t0) // device.step)
    for candidate in range(
        step + device.drift - device.tolerance, step + device.drift + device.tolerance + 1
    ):
        if candidate > device.last_t and candidate >= step:
            return code_at(device, device.t0 + candidate * device.step + 1)
    raise AssertionError("no unused code left in the device's window")


def wrong_code(device: EncryptedTOTPDevice) -> str:
    """A well-formed code that no step near now accepts."""
    now = time.time()
    near = {code_at(device, now + offset * device.step) for offset in range(-3, 4)}
    return next(f"{n:06d}" for n in range(0, 1_000_000, 111_111) if f"{n:06d}" not in near)
