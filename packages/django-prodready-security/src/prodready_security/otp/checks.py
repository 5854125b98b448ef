"""System checks of the 2FA settings (ids ``prodready_security.E020`` to ``E029``).

- ``E020`` 2FA is enforced but ``PRODREADY_OTP_ENCRYPTION_KEYS`` is empty
- ``E021`` an entry of ``PRODREADY_OTP_ENCRYPTION_KEYS`` is not a Fernet key
- ``E022`` the enforcement middleware is not after ``AuthenticationMiddleware`` and
  django-otp's ``OTPMiddleware`` (or its drop-in, ``VerifiedDeviceMiddleware``)
- ``E023`` an entry of ``PRODREADY_OTP_EXEMPT_PATHS`` does not start with ``/``
- ``E024`` ``PRODREADY_OTP_BACKUP_CODE_COUNT`` is not between 1 and 50
- ``E025`` ``PRODREADY_OTP_THROTTLE_FACTOR`` is not positive (0 turns off the back-off)
- ``E026`` ``PRODREADY_OTP_DEVICE_CACHE_SECONDS`` is negative
- ``E027`` ``PRODREADY_OTP_TRUSTED_BROWSER_DAYS`` is not between 0 and 365
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
from prodready_security.otp import crypto
from prodready_security.otp.middleware import VERIFIED_DEVICE_MIDDLEWARE

ENFORCEMENT = "prodready_security.otp.middleware.OTPEnforcementMiddleware"
OTP_MIDDLEWARE = "django_otp.middleware.OTPMiddleware"
AUTH_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"
MAX_BACKUP_CODES = 50


def enforced() -> bool:
    return ENFORCEMENT in settings.MIDDLEWARE


@reads_settings
def check_encryption_keys(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    keys: object = conf.OTP_ENCRYPTION_KEYS  # what a project set, not what it should be
    if not isinstance(keys, (list, tuple)):
        return []  # reported as prodready.E002
    if not keys:
        if not enforced():
            return []
        return [
            Error(
                "2FA is enforced (OTPEnforcementMiddleware is in MIDDLEWARE) but "
                "PRODREADY_OTP_ENCRYPTION_KEYS is empty, so no TOTP secret can be stored.",
                hint="Run `python manage.py otp generate-key` (it runs despite this error), "
                "keep the key in an environment variable such as OTP_ENCRYPTION_KEY and set "
                'PRODREADY_OTP_ENCRYPTION_KEYS = [os.environ["OTP_ENCRYPTION_KEY"]].',
                id="prodready_security.E020",
            )
        ]
    # The position, never the value: keys are secrets and checks are printed in logs.
    return [
        Error(
            f"PRODREADY_OTP_ENCRYPTION_KEYS[{index}] is not a Fernet key "
            "(32 bytes, URL-safe base64, 44 characters).",
            hint="Replace it with a key made by `manage.py otp generate-key`.",
            id="prodready_security.E021",
        )
        for index, key in enumerate(keys)
        if not crypto.is_valid_key(key)
    ]


@reads_settings
def check_middleware_order(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    middleware = list(settings.MIDDLEWARE)
    if ENFORCEMENT not in middleware:
        return []
    position = middleware.index(ENFORCEMENT)
    # Either django-otp's middleware or its drop-in gives users is_verified().
    otp = (
        VERIFIED_DEVICE_MIDDLEWARE if VERIFIED_DEVICE_MIDDLEWARE in middleware else OTP_MIDDLEWARE
    )
    for required in (AUTH_MIDDLEWARE, otp):
        if required not in middleware[:position]:
            found = "after it" if required in middleware else "missing"
            return [
                Error(
                    f"{ENFORCEMENT} needs {required} before it in MIDDLEWARE; it is {found}.",
                    hint=f"List {AUTH_MIDDLEWARE}, then {otp}, then {ENFORCEMENT}.",
                    id="prodready_security.E022",
                )
            ]
    if middleware.index(otp) < middleware.index(AUTH_MIDDLEWARE):
        return [
            Error(
                f"{otp} comes before {AUTH_MIDDLEWARE} in MIDDLEWARE.",
                hint=f"List {AUTH_MIDDLEWARE}, then {otp}, then {ENFORCEMENT}.",
                id="prodready_security.E022",
            )
        ]
    return []


@reads_settings
def check_exempt_paths(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    paths: object = conf.OTP_EXEMPT_PATHS
    if not isinstance(paths, (list, tuple)):
        return []  # reported as prodready.E002
    return [
        Error(
            f"PRODREADY_OTP_EXEMPT_PATHS[{index}] is {path!r}; expected a path starting with '/'.",
            hint=f"Write it as {'/' + str(path).lstrip('/')!r}.",
            id="prodready_security.E023",
        )
        for index, path in enumerate(paths)
        if not (isinstance(path, str) and path.startswith("/"))
    ]


@reads_settings
def check_numbers(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    count = conf.OTP_BACKUP_CODE_COUNT
    if isinstance(count, int) and not 1 <= count <= MAX_BACKUP_CODES:
        messages.append(
            Error(
                f"PRODREADY_OTP_BACKUP_CODE_COUNT is {count}; expected 1 to {MAX_BACKUP_CODES}.",
                hint="Set it to 10, the usual number of backup codes.",
                id="prodready_security.E024",
            )
        )
    factor = conf.OTP_THROTTLE_FACTOR
    if isinstance(factor, (int, float)) and not isinstance(factor, bool) and factor <= 0:
        messages.append(
            Error(
                f"PRODREADY_OTP_THROTTLE_FACTOR is {factor}; expected a positive number "
                "(0 or less turns off the back-off, so codes can be guessed quickly).",
                hint="Set it to 1.0: waits of 1, 2, 4, 8... seconds after wrong codes.",
                id="prodready_security.E025",
            )
        )
    seconds = conf.OTP_DEVICE_CACHE_SECONDS
    if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) and seconds < 0:
        messages.append(
            Error(
                f"PRODREADY_OTP_DEVICE_CACHE_SECONDS is {seconds}; expected 0 or more.",
                hint="Set it to 300, or to 0 to load the 2FA device on every request.",
                id="prodready_security.E026",
            )
        )
    days = conf.OTP_TRUSTED_BROWSER_DAYS
    if isinstance(days, int) and not isinstance(days, bool) and not 0 <= days <= 365:
        messages.append(
            Error(
                f"PRODREADY_OTP_TRUSTED_BROWSER_DAYS is {days}; expected 0 (off) to 365.",
                hint="Set it to the days a browser may skip the code, such as 30, or to 0.",
                id="prodready_security.E027",
            )
        )
    return messages


# --- passkeys --------------------------------------------------------------------------

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
