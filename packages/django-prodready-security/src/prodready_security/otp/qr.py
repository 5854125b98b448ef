"""The authenticator's setup data: an otpauth:// URI, its QR code as inline SVG, the key.

Rendered here, never by an external service: the QR code holds the secret.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote, urlencode

import segno
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext


def config_uri(*, secret: bytes, account: str, issuer: str, digits: int, period: int) -> str:
    """The Key Uri Format that authenticator apps read (as django-otp's ``config_url``)."""
    issuer = issuer.replace(":", "")
    params = urlencode(
        {
            "secret": base32_key(secret),
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": digits,
            "period": period,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{quote(f'{issuer}:{account}')}?{params}"


def base32_key(secret: bytes) -> str:
    return base64.b32encode(secret).decode("ascii").rstrip("=")


def manual_key(secret: bytes) -> str:
    """The key grouped by four characters, for typing into an app by hand."""
    key = base32_key(secret)
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_svg(uri: str, **options: Any) -> SafeString:
    # Dark on a white quiet zone whatever the page's colour scheme, or cameras miss it.
    svg = segno.make(uri, error="m", micro=False).svg_inline(
        scale=5,
        border=3,
        dark="#111827",
        light="#ffffff",
        title=gettext("QR code for your authenticator app"),
        svgclass="pr-otp-qr",
        omitsize=True,  # a viewBox instead, so CSS sets the size without cropping
        **options,
    )
    # segno escapes the title and draws only paths: the markup is safe to inline.
    return mark_safe(svg)
