"""The 2FA pages: overview, setup, verify, new backup codes, disable (adding and removing
one device at a time: ``device_views``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.messages import get_messages
from django.core.exceptions import ImproperlyConfigured
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.request import split_domain_port
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from prodready_security.conf import conf
from prodready_security.otp import crypto, devices, passkeys, qr, trusted_browsers, user_devices
from prodready_security.otp.devices import Verification
from prodready_security.otp.events import record
from prodready_security.otp.forms import DisableForm, TOTPCodeForm, TrustingVerifyForm
from prodready_security.otp.policy import otp_required

View = Callable[..., HttpResponse]


def verified_required(view: View) -> View:
    """Signed in and, for a user who enabled 2FA, verified in this session."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if devices.is_enrolled(request.user) and not _is_verified(request):
            return _redirect_with_next("prodready_otp:verify", request.get_full_path())
        return view(request, *args, **kwargs)

    return login_required(wrapper)


@never_cache
@verified_required
def manage(request: HttpRequest) -> HttpResponse:
    context = {
        "device": devices.is_enrolled(request.user),
        "passkeys_enabled": passkeys.enabled(),
        "devices": user_devices.listed(request.user),
        "required": otp_required(request.user),
        "remaining_codes": devices.remaining_backup_codes(request.user),
    }
    return _page(request, "prodready_security/otp/manage.html", context)


@never_cache
@sensitive_post_parameters("code")
@login_required
def setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    next_url = _next_url(request)
    if devices.is_enrolled(user):
        if _is_verified(request):
            return redirect("prodready_otp:manage")
        return _redirect_with_next("prodready_otp:verify", next_url)
    if not crypto.is_configured():
        return _page(request, "prodready_security/otp/not_configured.html", {}, status=503)
    device = devices.pending_totp_device(user)
    form = TOTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = devices.check_code(user, form.cleaned_data["code"], device=device)
        if result.ok:
            codes = devices.enable(result.device)
            _mark_verified(request, result.device)
            record("otp.enabled", request, user)
            context = {"codes": codes, "next_url": next_url, "just_enabled": True}
            return _page(request, "prodready_security/otp/backup_codes.html", context)
        form.add_error("code", _refusal(result))
    context = {**app_setup_context(request, device), "form": form, "next_url": next_url}
    return _page(request, "prodready_security/otp/setup.html", context)


def app_setup_context(request: HttpRequest, device: Any) -> dict[str, Any]:
    """The QR code and key that add ``device`` to an authenticator app."""
    secret = device.secret
    uri = qr.config_uri(
        secret=secret,
        account=request.user.get_username(),
        issuer=_issuer(request),
        digits=device.digits,
        period=device.step,
    )
    return {
        "qr_svg": qr.qr_svg(uri),
        "manual_key": qr.manual_key(secret),
        "issuer": _issuer(request),
        "required": otp_required(request.user),
    }


@never_cache
@sensitive_post_parameters("code")
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    next_url = _next_url(request)
    if _is_verified(request):
        return HttpResponseRedirect(next_url)
    if not devices.is_enrolled(user):
        return _redirect_with_next("prodready_otp:setup", next_url)
    trusted = trusted_browsers.trusted_device(request)
    if trusted is not None:
        _mark_verified(request, trusted)
        return HttpResponseRedirect(next_url)
    days = conf.OTP_TRUSTED_BROWSER_DAYS if trusted_browsers.offered_to(user) else 0
    form = TrustingVerifyForm(request.POST or None, days=days)
    if request.method == "POST" and form.is_valid():
        result = _check_code(request, form)
        if result.ok:
            _mark_verified(request, result.device)
            if result.method == "backup":
                remaining = devices.remaining_backup_codes(user)
                record("otp.backup_code_used", request, user, remaining=remaining)
                _warn_if_few_codes_left(request, remaining)
            response = HttpResponseRedirect(next_url)
            if form.cleaned_data.get("trust"):
                trusted_browsers.trust(request, response, user, result.device)
            return response
    context = {"form": form, "next_url": next_url, **passkey_context(request, user)}
    return _page(request, "prodready_security/otp/verify.html", context)


def passkey_context(request: HttpRequest, user: Any) -> dict[str, Any]:
    """The options of a passkey check of ``user``, if passkeys are on and they have one."""
    if not (passkeys.enabled() and passkeys.user_passkeys(user)):
        return {}
    return {"passkey_options": passkeys.authentication_options(request, user)}


@never_cache
@sensitive_post_parameters("code")
@verified_required
def regenerate(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not devices.is_enrolled(user):
        return redirect("prodready_otp:manage")
    form = TOTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = _check_code(request, form, allow_backup=False)
        if result.ok:
            codes = devices.regenerate_backup_codes(user)
            record("otp.backup_codes_regenerated", request, user)
            return _page(request, "prodready_security/otp/backup_codes.html", {"codes": codes})
    return _page(request, "prodready_security/otp/regenerate.html", {"form": form})


@never_cache
@sensitive_post_parameters("password", "code")
@verified_required
def disable(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not devices.is_enrolled(user):
        return redirect("prodready_otp:manage")
    form = DisableForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not user.check_password(form.cleaned_data["password"]):
            record("otp.failed", request, user, method="password", reason="wrong")
            form.add_error("password", gettext("That is not your password."))
        else:
            result = _check_code(request, form)
            if result.ok:
                devices.disable(user)
                request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
                record("otp.disabled", request, user)
                messages.success(
                    request, gettext("Two-factor authentication is off."), fail_silently=True
                )
                return redirect("prodready_otp:manage")
    context = {"form": form, "required": otp_required(user)}
    return _page(request, "prodready_security/otp/disable.html", context)


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    # Messages are passed in, so the pages work without the messages context processor.
    return render(
        request, template, {**context, "otp_messages": get_messages(request)}, status=status
    )


def _is_verified(request: HttpRequest) -> bool:
    is_verified = getattr(request.user, "is_verified", None)
    if is_verified is None:
        raise ImproperlyConfigured(
            "The 2FA pages need django_otp.middleware.OTPMiddleware (or "
            "prodready_security.otp.middleware.VerifiedDeviceMiddleware) in MIDDLEWARE, after "
            "AuthenticationMiddleware (see prodready_security.E022)."
        )
    return bool(is_verified())


def _check_code(request: HttpRequest, form: Form, *, allow_backup: bool = True) -> Verification:
    """The signed-in user's second factor, checked against the code in ``form``: a refusal
    is recorded as ``otp.failed`` and shown on the form's code field."""
    user = request.user
    result = devices.check_code(user, form.cleaned_data["code"], allow_backup=allow_backup)
    if not result.ok:
        record("otp.failed", request, user, method=result.method, reason=result.reason)
        form.add_error("code", _refusal(result))
    return result


def _mark_verified(request: HttpRequest, device: Any) -> None:
    # A new session key once the second factor is proven: a session id captured
    # before cannot ride on the now fully authenticated session.
    request.session.cycle_key()
    django_otp.login(request, device)


def _refusal(result: Verification) -> str:
    if result.locked_until is not None:
        return gettext("Too many wrong codes. Wait a little, then try again with a fresh code.")
    if result.unreadable:
        return gettext(
            "Your authenticator cannot be checked right now: the site's encryption keys "
            "changed. Use a backup code, or ask an administrator."
        )
    if result.method == "backup":
        return gettext("That backup code is not valid or was already used.")
    return gettext("That code is not valid. Codes change every 30 seconds and work only once.")


def _warn_if_few_codes_left(request: HttpRequest, remaining: int) -> None:
    if remaining <= 2:
        messages.warning(
            request,
            ngettext(
                "You have {count} backup code left. Make new ones from your two-factor settings.",
                "You have {count} backup codes left. Make new ones from your two-factor settings.",
                remaining,
            ).format(count=remaining),
            fail_silently=True,
        )


def _next_url(request: HttpRequest) -> str:
    """Where to go once done: ``next`` when it is on this site, else LOGIN_REDIRECT_URL."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if candidate and safe and candidate.split("?")[0] != request.path:
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _redirect_with_next(view_name: str, next_url: str) -> HttpResponse:
    return HttpResponseRedirect(f"{reverse(view_name)}?{urlencode({'next': next_url})}")


def _issuer(request: HttpRequest) -> str:
    return conf.OTP_ISSUER or split_domain_port(request.get_host())[0] or "Django"
