"""Enforced enrolment: users who must use 2FA set it up, then verify, before any page.

Install after ``AuthenticationMiddleware`` and django-otp's ``OTPMiddleware``::

    ("django.contrib.auth.middleware.AuthenticationMiddleware",)
    ("django_otp.middleware.OTPMiddleware",)
    ("prodready_security.otp.middleware.OTPEnforcementMiddleware",)

A user who enabled 2FA is sent to verify whether or not a setting requires it of
them: otherwise their second factor would protect nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from prodready_security.otp import devices
from prodready_security.otp.exemptions import is_exempt
from prodready_security.otp.policy import otp_required


class OTPEnforcementMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return enrolment_redirect(request) or self.get_response(request)


def enrolment_redirect(request: HttpRequest) -> HttpResponse | None:
    """Where a signed-in user who has not finished 2FA must go first, if anywhere."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if not hasattr(user, "is_verified"):
        raise ImproperlyConfigured(
            "OTPEnforcementMiddleware needs django_otp.middleware.OTPMiddleware before it "
            "in MIDDLEWARE (see prodready_security.E022)."
        )
    if user.is_verified() or is_exempt(request):
        return None
    if devices.is_enrolled(user):
        target = "prodready_otp:verify"
    elif otp_required(user):
        target = "prodready_otp:setup"
    else:
        return None
    query = urlencode({"next": request.get_full_path()})
    return HttpResponseRedirect(f"{reverse(target)}?{query}")
