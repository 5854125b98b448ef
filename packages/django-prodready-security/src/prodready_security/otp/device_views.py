"""The 2FA pages for one device at a time: add another authenticator app, remove a device.

Both need a session verified with a second factor; removing also needs a current code
(from any of the user's devices), as turning 2FA off does.
"""

from __future__ import annotations

import django_otp
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from prodready_security.otp import crypto, devices, user_devices
from prodready_security.otp.forms import AddAppForm, VerifyForm
from prodready_security.otp.views import (
    _check_code,
    _page,
    _refusal,
    app_setup_context,
    verified_required,
)


@never_cache
@sensitive_post_parameters("code")
@verified_required
def add_app(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not devices.is_enrolled(user):
        return redirect("prodready_otp:setup")  # the first app comes with backup codes
    if not crypto.is_configured():
        return _page(request, "prodready_security/otp/not_configured.html", {}, status=503)
    device = devices.pending_totp_device(user)
    form = AddAppForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = devices.check_code(user, form.cleaned_data["code"], device=device)
        if result.ok:
            devices.confirm(result.device, form.cleaned_data["name"])
            user_devices.added(request, user, "app", result.device)
            text = gettext("Added “%(name)s”.") % {"name": result.device.name}
            messages.success(request, text, fail_silently=True)
            return redirect("prodready_otp:manage")
        form.add_error("code", _refusal(result))
    context = {**app_setup_context(request, device), "form": form}
    return _page(request, "prodready_security/otp/add_app.html", context)


@never_cache
@sensitive_post_parameters("code")
@verified_required
def remove(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    user = request.user
    target = user_devices.find(user, kind, pk)
    if target is None:
        raise Http404(gettext("No such device of yours."))
    reason = user_devices.refusal(user, target)
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and reason is None and form.is_valid():
        result = _check_code(request, form)
        if result.ok:
            try:
                turned_off = user_devices.remove(request, user, target)
            except user_devices.Refused as exc:
                reason = str(exc)
            else:
                return _removed(request, target, result.device, turned_off)
    status = 409 if request.method == "POST" and reason else 200
    context = {"form": form, "target": target, "reason": reason}
    return _page(request, "prodready_security/otp/remove.html", context, status=status)


def _removed(
    request: HttpRequest, target: user_devices.ListedDevice, used: object, turned_off: bool
) -> HttpResponse:
    if turned_off:
        request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
        messages.success(request, gettext("Two-factor authentication is off."), fail_silently=True)
    else:
        if used is not None and used != target.device:
            # The session stays verified by the device whose code was just given.
            django_otp.login(request, used)
        text = gettext("Removed “%(name)s”.") % {"name": target.name}
        messages.success(request, text, fail_silently=True)
    return redirect("prodready_otp:manage")
