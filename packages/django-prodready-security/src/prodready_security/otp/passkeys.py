"""Passkeys (WebAuthn), checked with py_webauthn: the options a page hands the browser and
the check of what the browser sends back.

Each ceremony's challenge waits in the session and is taken out by the check, so an
answer is accepted once at most. Passkeys are resident keys (the user need not type a
name to use one), user verification is preferred (required to sign in without a
password), attestation is not asked for. The signature counter must grow: an answer
whose counter is not above the stored one comes from a copy of the key and is refused.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    parse_authentication_credential_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from prodready_security.conf import conf
from prodready_security.otp.models import PasskeyDevice

CHALLENGE_KEY = "_prodready_passkey_challenge"  # in the session: {"ceremony", "challenge"}
# What a malformed answer raises while it is parsed, besides py_webauthn's own errors.
MALFORMED = (WebAuthnException, ValueError, TypeError, KeyError)


class Refused(Exception):
    """The browser's answer was not accepted; ``reason`` for the audit log, the message for
    the user."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def enabled() -> bool:
    return bool(conf.OTP_WEBAUTHN_RP_ID)


def sign_in_enabled() -> bool:
    return enabled() and bool(conf.OTP_PASSKEY_SIGN_IN)


def origins() -> list[str]:
    return list(conf.OTP_WEBAUTHN_ORIGINS) or [f"https://{conf.OTP_WEBAUTHN_RP_ID}"]


def user_passkeys(user: Any) -> list[PasskeyDevice]:
    return list(PasskeyDevice.objects.filter(user=user, confirmed=True).order_by("pk"))


def registration_options(request: HttpRequest, user: Any) -> dict[str, Any]:
    """The JSON for ``navigator.credentials.create()``: a new passkey of ``user``."""
    existing = user_passkeys(user)
    # One account, one handle: a second passkey on the same authenticator replaces the first.
    handle = existing[0].user_handle if existing else bytes_to_base64url(secrets.token_bytes(32))
    options = generate_registration_options(
        rp_id=_rp_id(),
        rp_name=conf.OTP_ISSUER or _rp_id(),
        user_name=user.get_username(),
        user_id=base64url_to_bytes(handle),
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[_descriptor(device) for device in existing],
    )
    _remember(request, "register", options.challenge, handle=handle)
    return _as_dict(options_to_json(options))


def authentication_options(request: HttpRequest, user: Any = None) -> dict[str, Any]:
    """The JSON for ``navigator.credentials.get()``: one of ``user``'s passkeys or, with no
    user (signing in without a password), any passkey of this site the browser holds."""
    allowed = [_descriptor(device) for device in user_passkeys(user)] if user else []
    options = generate_authentication_options(
        rp_id=_rp_id(),
        allow_credentials=allowed,
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    _remember(request, "authenticate", options.challenge)
    return _as_dict(options_to_json(options))


def register(request: HttpRequest, user: Any, answer: str, name: str) -> PasskeyDevice:
    """Store the passkey the browser created; :class:`Refused` if its answer is not valid."""
    state = _take(request, "register")
    try:
        verified = verify_registration_response(
            credential=answer,
            expected_challenge=base64url_to_bytes(state["challenge"]),
            expected_rp_id=_rp_id(),
            expected_origin=origins(),
        )
    except MALFORMED as exc:
        raise Refused("invalid", _not_accepted()) from exc
    transports = _transports(answer)
    try:
        with transaction.atomic():
            created: PasskeyDevice = PasskeyDevice.objects.create(
                user=user,
                name=name,
                confirmed=True,
                credential_id=bytes_to_base64url(verified.credential_id),
                public_key=verified.credential_public_key,
                sign_count=verified.sign_count,
                user_handle=state["handle"],
                transports=transports,
            )
            return created
    except IntegrityError as exc:
        message = gettext("This passkey is already registered.")
        raise Refused("duplicate", message) from exc


@transaction.atomic
def authenticate(
    request: HttpRequest, answer: str, *, user: Any = None, require_user_verification: bool = False
) -> PasskeyDevice:
    """The passkey that signed the browser's answer, its counter and last use updated.

    With ``user``, only one of theirs is accepted. The row is locked for the check, so two
    requests with answers of one passkey are counted one after the other.
    """
    state = _take(request, "authenticate")
    try:
        credential = parse_authentication_credential_json(answer)
    except MALFORMED as exc:
        raise Refused("invalid", _not_accepted()) from exc
    device: PasskeyDevice | None = (
        PasskeyDevice.objects.select_for_update()
        .filter(credential_id=credential.id, confirmed=True)
        .select_related("user")
        .first()
    )
    if device is None or (user is not None and device.user_id != user.pk):
        raise Refused("unknown", gettext("This passkey is not registered for your account."))
    handle = credential.response.user_handle
    if handle is not None and bytes_to_base64url(handle) != device.user_handle:
        raise Refused("unknown", gettext("This passkey is not registered for your account."))
    try:
        # The counter is compared below, once the signature is known to be the passkey's.
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(state["challenge"]),
            expected_rp_id=_rp_id(),
            expected_origin=origins(),
            credential_public_key=bytes(device.public_key),
            credential_current_sign_count=0,
            require_user_verification=require_user_verification,
        )
    except MALFORMED as exc:
        raise Refused("invalid", _not_accepted()) from exc
    if counter_went_back(device.sign_count, verified.new_sign_count):
        raise Refused(
            "counter_regressed",
            gettext(
                "This passkey was refused: its use counter went backwards, as happens when a "
                "passkey was copied. Use another way to verify, and remove this passkey."
            ),
        )
    device.sign_count = verified.new_sign_count
    device.set_last_used_timestamp(commit=False)
    device.save(update_fields=["sign_count", "last_used_at"])
    return device


def counter_went_back(stored: int, received: int) -> bool:
    """Whether ``received`` betrays a copy: authenticators that keep no counter send 0
    every time, those that do must send more than last time (WebAuthn §6.1.1)."""
    return (stored > 0 or received > 0) and received <= stored


def _as_dict(text: str) -> dict[str, Any]:
    options: dict[str, Any] = json.loads(text)
    return options


def _rp_id() -> str:
    return str(conf.OTP_WEBAUTHN_RP_ID)


def _descriptor(device: PasskeyDevice) -> PublicKeyCredentialDescriptor:
    transports = []
    for name in device.transports or []:
        try:
            transports.append(AuthenticatorTransport(name))
        except ValueError:
            continue  # a transport newer than py_webauthn: the browser finds the key anyway
    return PublicKeyCredentialDescriptor(
        id=base64url_to_bytes(device.credential_id), transports=transports or None
    )


def _transports(answer: str) -> list[str]:
    try:
        credential = parse_registration_credential_json(answer)
    except MALFORMED:
        return []
    return [str(transport.value) for transport in credential.response.transports or []]


def _remember(request: HttpRequest, ceremony: str, challenge: bytes, **extra: str) -> None:
    request.session[CHALLENGE_KEY] = {
        "ceremony": ceremony,
        "challenge": bytes_to_base64url(challenge),
        **extra,
    }


def _take(request: HttpRequest, ceremony: str) -> dict[str, str]:
    state = request.session.pop(CHALLENGE_KEY, None)
    if not isinstance(state, dict) or state.get("ceremony") != ceremony:
        raise Refused(
            "expired", gettext("The passkey request expired. Reload the page and try again.")
        )
    return state


def _not_accepted() -> str:
    return gettext("Your passkey's answer was not accepted. Try again, or use another way.")
