"""The passkey pages: add one (from the 2FA overview), verify with one (from the verify
page), and, when ``PRODREADY_OTP_PASSKEY_SIGN_IN`` is on, sign in with one alone.

The ceremony runs in the browser (``passkeys.js``), which posts its answer in a plain
form; every check is made here, by ``passkeys``. Removing a passkey is the same page as
removing any device (``device_views.remove``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from webauthn.helpers import parse_authentication_credential_json

from prodready_security.otp import devices, passkeys, user_devices
from prodready_security.otp.events import record
from prodready_security.otp.forms import AddPasskeyForm, PasskeyAnswerForm
from prodready_security.otp.models import PasskeyDevice
from prodready_security.otp.views import (
    _is_verified,
    _mark_verified,
    _next_url,
    _page,
    _redirect_with_next,
    verified_required,
)


def _passkeys_on() -> None:
    if not passkeys.enabled():
        raise Http404(gettext("Passkeys are not enabled on this site."))


@never_cache
@sensitive_post_parameters("credential")
@verified_required
def add(request: HttpRequest) -> HttpResponse:
    _passkeys_on()
    user = request.user
    if not devices.is_enrolled(user):
        return redirect("prodready_otp:setup")  # the first device comes with backup codes
    form = AddPasskeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = passkeys.register(
                request, user, form.cleaned_data["credential"], form.cleaned_data["name"]
            )
        except passkeys.Refused as exc:
            form.add_error(None, str(exc))
        else:
            user_devices.added(request, user, "passkey", device)
            text = gettext("Added “%(name)s”.") % {"name": device.name}
            messages.success(request, text, fail_silently=True)
            return redirect("prodready_otp:manage")
    context = {"form": form, "options": passkeys.registration_options(request, user)}
    return _page(request, "prodready_security/otp/add_passkey.html", context)


@never_cache
@sensitive_post_parameters("credential")
@require_POST
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The verify page's "Use a passkey": the session is verified by one of the user's."""
    _passkeys_on()
    user = request.user
    next_url = _next_url(request)
    if _is_verified(request):
        return HttpResponseRedirect(next_url)
    device = _checked(request, user=user)
    if device is None:
        return _redirect_with_next("prodready_otp:verify", next_url)
    _mark_verified(request, device)
    record("otp.passkey_used", request, user, name=device.name, passwordless=False)
    return HttpResponseRedirect(next_url)


@never_cache
@sensitive_post_parameters("credential")
def sign_in(request: HttpRequest) -> HttpResponse:
    """Signing in with a passkey alone: it proves possession and, with the user verified by
    the authenticator (fingerprint, face, PIN), a second factor, so 2FA is satisfied."""
    if not passkeys.sign_in_enabled():
        raise Http404(gettext("Signing in with a passkey is not enabled on this site."))
    next_url = _next_url(request)
    form = PasskeyAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = _checked(request, require_user_verification=True)
        if device is not None and _may_sign_in(device.user):
            login(request, device.user, backend=_session_backend())
            _mark_verified(request, device)
            record("otp.passkey_used", request, device.user, name=device.name, passwordless=True)
            return HttpResponseRedirect(next_url)
        if device is not None:
            messages.error(request, gettext("This account cannot sign in."), fail_silently=True)
    context = {
        "form": form,
        "next_url": next_url,
        "options": passkeys.authentication_options(request),
        "login_url": resolve_url(settings.LOGIN_URL),
    }
    return _page(request, "prodready_security/otp/passkey_sign_in.html", context)


def _checked(request: HttpRequest, **kwargs: Any) -> Any:
    """The passkey that signed the posted answer, or None with the reason as a message and
    an ``otp.failed`` event (on the passkey's owner, when it is known)."""
    form = PasskeyAnswerForm(request.POST)
    answer = form.data.get("credential", "")
    try:
        return passkeys.authenticate(request, str(answer), **kwargs)
    except passkeys.Refused as exc:
        target = kwargs.get("user") or _owner(str(answer))
        if target is not None:
            record("otp.failed", request, target, method="passkey", reason=exc.reason)
        messages.error(request, str(exc), fail_silently=True)
        return None


def _owner(answer: str) -> Any:
    """The user a refused passwordless answer named, for the audit log."""
    try:
        credential = parse_authentication_credential_json(answer)
    except passkeys.MALFORMED:
        return None
    device = PasskeyDevice.objects.filter(credential_id=credential.id).select_related("user")
    found = device.first()
    return found.user if found is not None else None


def _session_backend() -> str:
    """The first backend that can load the user of a session (a lockout backend cannot)."""
    for path in settings.AUTHENTICATION_BACKENDS:
        if hasattr(import_string(path), "get_user"):
            return str(path)
    return "django.contrib.auth.backends.ModelBackend"


def _may_sign_in(user: Any) -> bool:
    return bool(getattr(user, "is_active", True))
