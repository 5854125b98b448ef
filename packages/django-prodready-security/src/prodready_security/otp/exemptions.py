"""Pages a signed-in user reaches before finishing 2FA: logging out, static and media
files, the health probes, the CSP report endpoint (a browser posts there from any page,
the verify page included), the idle warning's "Stay signed in" (shown there too), the 2FA
pages themselves, and what the project adds in
``PRODREADY_OTP_EXEMPT_PATHS`` and ``PRODREADY_OTP_EXEMPT_URL_NAMES``.

Of the health endpoints only the probes (``live``, ``ready``) are exempt: the detailed
view shows staff file paths, disk space and error names, so a session that has a
password but not yet its second factor is sent to verify first (a monitor with the
health token has no session, so it is never sent anywhere).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import Resolver404, resolve

from prodready_security.conf import conf

BUILTIN_URL_NAMES = frozenset(
    {
        "logout",
        "admin:logout",
        "prodready:health-live",
        "prodready:health-ready",
        "prodready_otp:setup",
        "prodready_otp:verify",
        "prodready_otp:passkey_verify",
        "prodready_sessions:keep_alive",
        "prodready_security_csp:report",
    }
)


def is_exempt(request: HttpRequest) -> bool:
    if any(request.path.startswith(prefix) for prefix in _served_file_prefixes()):
        return True
    if any(request.path_info.startswith(prefix) for prefix in conf.OTP_EXEMPT_PATHS):
        return True
    try:
        view_name = resolve(request.path_info).view_name
    except Resolver404:
        return False
    return view_name in BUILTIN_URL_NAMES or view_name in conf.OTP_EXEMPT_URL_NAMES


def _served_file_prefixes() -> list[str]:
    # Django prefixes a relative STATIC_URL/MEDIA_URL with the script name, as request.path is;
    # a URL on another host ("https://cdn...") never reaches this site, so it is left out.
    prefixes = []
    for url in (settings.STATIC_URL, settings.MEDIA_URL):
        if url and url.startswith("/") and url != "/":
            prefixes.append(url)
    return prefixes
