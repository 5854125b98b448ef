"""Template tags: ``{% load prodready_security %}``.

- ``{% idle_warning %}``: the idle-timeout warning's script (``sessions.idle``), for a
  signed-in user when ``PRODREADY_SESSIONS_IDLE_TIMEOUT`` is set; nothing otherwise.
- ``{% passkey_sign_in_url as url %}``: the passwordless sign-in page, or ``""`` when
  ``PRODREADY_OTP_PASSKEY_SIGN_IN`` is off.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.middleware.csrf import get_token
from django.urls import reverse

from prodready_security.conf import conf
from prodready_security.otp import passkeys
from prodready_security.sessions.idle import seconds_left

register = template.Library()


@register.inclusion_tag("prodready_security/sessions/idle_warning.html", takes_context=True)
def idle_warning(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    remaining = seconds_left(request) if request is not None else None
    warning = conf.SESSIONS_IDLE_WARNING
    if request is None or remaining is None or not warning:
        return {"show": False}
    return {
        "show": True,
        "remaining": remaining,
        "warning": warning,
        "keep_alive_url": reverse("prodready_sessions:keep_alive"),
        "csrf": get_token(request),
        "path": request.get_full_path(),
    }


@register.simple_tag
def passkey_sign_in_url() -> str:
    return reverse("prodready_otp:passkey_sign_in") if passkeys.sign_in_enabled() else ""
