"""System checks of the passkey settings.

- ``E028`` ``PRODREADY_OTP_WEBAUTHN_RP_ID`` is missing while passkey sign-in is on, is not
  a bare domain, or is not the domain (or a parent of a domain) in ``ALLOWED_HOSTS``
- ``E029`` an origin in ``PRODREADY_OTP_WEBAUTHN_ORIGINS`` is not on the relying party's
  domain, or not HTTPS (plain HTTP only on ``localhost``)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error

from prodready.checks import reads_settings
from prodready_security.conf import conf

# What Django accepts when ALLOWED_HOSTS is empty and DEBUG is on.
DEBUG_HOSTS = [".localhost", "127.0.0.1", "[::1]"]


def on_domain(host: str, rp_id: str) -> bool:
    """Whether ``host`` is ``rp_id`` or one of its subdomains (where its passkeys work)."""
    host = host.lower().lstrip(".")
    return host == rp_id or host.endswith("." + rp_id)


@reads_settings
def check_relying_party(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    rp_id = conf.OTP_WEBAUTHN_RP_ID
    if rp_id is None or not isinstance(rp_id, str):
        if conf.OTP_PASSKEY_SIGN_IN is True:
            return [
                Error(
                    "PRODREADY_OTP_PASSKEY_SIGN_IN is True but PRODREADY_OTP_WEBAUTHN_RP_ID is "
                    "not set, so there are no passkeys to sign in with.",
                    hint="Set PRODREADY_OTP_WEBAUTHN_RP_ID to the site's domain, such as "
                    '"example.com", or PRODREADY_OTP_PASSKEY_SIGN_IN to False.',
                    id="prodready_security.E028",
                )
            ]
        return []
    if not rp_id or "/" in rp_id or ":" in rp_id or rp_id != rp_id.lower():
        return [
            Error(
                f"PRODREADY_OTP_WEBAUTHN_RP_ID is {rp_id!r}; expected a domain in lower case "
                "without a scheme, port or path.",
                hint=f"Write the domain alone, such as {_domain_of(rp_id)!r}.",
                id="prodready_security.E028",
            )
        ]
    allowed = list(settings.ALLOWED_HOSTS) or (DEBUG_HOSTS if settings.DEBUG else [])
    if "*" in allowed or any(on_domain(host, rp_id) for host in allowed):
        return []
    return [
        Error(
            f"PRODREADY_OTP_WEBAUTHN_RP_ID is {rp_id!r} but no host in ALLOWED_HOSTS "
            f"({allowed!r}) is on that domain, so browsers refuse every passkey of this site.",
            hint="Set PRODREADY_OTP_WEBAUTHN_RP_ID to the domain users reach the site on "
            "(one of ALLOWED_HOSTS, or a parent domain of it).",
            id="prodready_security.E028",
        )
    ]


@reads_settings
def check_origins(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    rp_id = conf.OTP_WEBAUTHN_RP_ID
    origins: object = conf.OTP_WEBAUTHN_ORIGINS
    if not isinstance(rp_id, str) or not rp_id or not isinstance(origins, (list, tuple)):
        return []  # a missing id is E028, a wrong type prodready.E002
    messages: list[CheckMessage] = []
    for index, origin in enumerate(origins):
        parts = urlsplit(str(origin))
        host = parts.hostname or ""
        secure = parts.scheme == "https" or (parts.scheme == "http" and host == "localhost")
        if on_domain(host, rp_id) and secure and parts.path in ("", "/"):
            continue
        messages.append(
            Error(
                f"PRODREADY_OTP_WEBAUTHN_ORIGINS[{index}] is {origin!r}; expected an HTTPS "
                f"origin on {rp_id!r} (PRODREADY_OTP_WEBAUTHN_RP_ID), such as "
                f"'https://{rp_id}'.",
                hint="List the origins users open the site on, scheme, host and port only; "
                "plain HTTP works on localhost alone.",
                id="prodready_security.E029",
            )
        )
    return messages


def _domain_of(value: str) -> str:
    return (urlsplit(value).hostname or value.split("/")[0].split(":")[0]).lower()
