"""What a user can do with their 2FA devices: enrol, check a code, renew codes, disable.

Codes are checked through ``django_otp.verify_token``, which locks the device row
for the check, so two requests racing with the same code cannot both succeed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import django_otp
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Exists

from prodready_security.conf import conf
from prodready_security.otp import backup_codes, crypto
from prodready_security.otp.models import BackupCodeDevice, EncryptedTOTPDevice, PasskeyDevice

logger = logging.getLogger(__name__)

Method = Literal["totp", "backup"]


@dataclass(frozen=True)
class Verification:
    """The outcome of checking one code."""

    ok: bool
    method: Method
    device: Any = None
    locked_until: datetime | None = None
    unreadable: bool = False  # the secret could not be decrypted with the configured keys

    @property
    def reason(self) -> str:
        if self.ok:
            return "accepted"
        if self.locked_until is not None:
            return "throttled"
        return "unreadable" if self.unreadable else "wrong"


def totp_devices(user: Any) -> list[EncryptedTOTPDevice]:
    """The user's confirmed authenticator apps, oldest first."""
    return list(EncryptedTOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk"))


def totp_device(user: Any) -> EncryptedTOTPDevice | None:
    """The user's first confirmed authenticator, if they enrolled."""
    device: EncryptedTOTPDevice | None = (
        EncryptedTOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    )
    return device


def is_enrolled(user: Any) -> bool:
    """Whether ``user`` has a second factor that signs in: an app or a passkey."""
    if not user.is_authenticated:
        return False
    # One query for both kinds: without the device cache it runs on every request.
    apps = EncryptedTOTPDevice.objects.filter(user=user, confirmed=True)
    keys = PasskeyDevice.objects.filter(user=user, confirmed=True)
    users = get_user_model()._default_manager.filter(pk=user.pk)
    return bool(users.filter(Exists(apps) | Exists(keys)).exists())


def pending_totp_device(user: Any) -> EncryptedTOTPDevice:
    """The app being set up: reused, so reloading the page keeps the same QR code."""
    device: EncryptedTOTPDevice | None = EncryptedTOTPDevice.objects.filter(
        user=user, confirmed=False
    ).first()
    if device is not None:
        try:
            _ = device.secret
        except crypto.InvalidToken:  # its key was retired before setup was finished
            device.delete()
            device = None
    return device or EncryptedTOTPDevice.create_pending(user)


def backup_code_device(user: Any) -> BackupCodeDevice | None:
    device: BackupCodeDevice | None = BackupCodeDevice.objects.filter(user=user).first()
    return device


def remaining_backup_codes(user: Any) -> int:
    device = backup_code_device(user)
    return device.codes.count() if device else 0


@transaction.atomic
def enable(device: EncryptedTOTPDevice) -> list[str]:
    """Confirm a user's first app whose code matched; returns their new backup codes."""
    confirm(device)
    return regenerate_backup_codes(device.user)


def confirm(device: EncryptedTOTPDevice, name: str | None = None) -> None:
    """Confirm an app whose code matched, beside the user's other apps."""
    device.confirmed = True
    device.name = name or device.name
    device.save(update_fields=["confirmed", "name"])
    EncryptedTOTPDevice.objects.filter(user_id=device.user_id, confirmed=False).delete()


@transaction.atomic
def regenerate_backup_codes(user: Any) -> list[str]:
    device, _ = BackupCodeDevice.objects.get_or_create(
        user=user, defaults={"name": "Backup codes"}
    )
    codes: list[str] = device.replace_codes(conf.OTP_BACKUP_CODE_COUNT)
    return codes


@transaction.atomic
def disable(user: Any) -> None:
    EncryptedTOTPDevice.objects.filter(user=user).delete()
    PasskeyDevice.objects.filter(user=user).delete()
    BackupCodeDevice.objects.filter(user=user).delete()


def check_code(
    user: Any, code: str, *, device: Any = None, allow_backup: bool = True
) -> Verification:
    """Check ``code`` against ``device`` or, by its shape, the user's apps or backup codes."""
    method: Method = "totp"
    candidates: list[Any] = [device] if device is not None else []
    if device is None:
        if allow_backup and backup_codes.looks_like_backup_code(code):
            method, candidates = "backup", [backup_code_device(user)]
        else:
            candidates = list(totp_devices(user))
    candidates = [candidate for candidate in candidates if candidate is not None]
    if not candidates:
        return Verification(ok=False, method=method)
    # One throttle for all of a user's apps: a guess is checked against every app.
    for candidate in candidates:
        allowed, details = candidate.verify_is_allowed()
        if not allowed:
            return Verification(
                ok=False, method=method, locked_until=(details or {}).get("locked_until")
            )
    try:
        chosen = _matching(candidates, code)
        verified = django_otp.verify_token(user, chosen.persistent_id, code)
    except (crypto.InvalidToken, ImproperlyConfigured):
        logger.exception("A TOTP secret of %s cannot be decrypted", user.get_username())
        return Verification(ok=False, method=method, unreadable=True)
    if verified is None:
        for other in candidates:  # the chosen one counted its own failure
            if other.pk != chosen.pk:
                other.throttle_increment(commit=True)
    return Verification(ok=verified is not None, method=method, device=verified)


def _matching(candidates: list[Any], code: str) -> Any:
    """The app whose code this is, or the first one (which then counts the failure)."""
    if len(candidates) == 1:
        return candidates[0]
    unreadable = 0
    for candidate in candidates:
        try:
            if candidate.accepts(code):
                return candidate
        except crypto.InvalidToken:
            unreadable += 1
    if unreadable == len(candidates):
        raise crypto.InvalidToken
    return candidates[0]
