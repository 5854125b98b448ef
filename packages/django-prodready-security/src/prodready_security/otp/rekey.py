"""Re-encrypting every stored TOTP secret with the newest key, all or nothing.

Every secret is decrypted first; if any cannot be (its key was already removed
from the setting), nothing is written and the devices are named, so the old key
can be put back before anything is lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from prodready_security.otp import crypto
from prodready_security.otp.models import EncryptedTOTPDevice


class UnreadableSecrets(Exception):
    def __init__(self, device_ids: list[int]) -> None:
        self.device_ids = device_ids
        super().__init__(
            f"{len(device_ids)} TOTP secret(s) cannot be decrypted with any key of "
            f"PRODREADY_OTP_ENCRYPTION_KEYS (device ids: {', '.join(map(str, device_ids))})."
        )


@dataclass(frozen=True)
class RekeyReport:
    reencrypted: int
    already_current: int


@transaction.atomic
def reencrypt_all(*, dry_run: bool = False) -> RekeyReport:
    devices = list(EncryptedTOTPDevice.objects.select_for_update().order_by("pk"))
    unreadable = []
    for device in devices:
        try:
            crypto.decrypt(device.encrypted_key)
        except crypto.InvalidToken:
            unreadable.append(device.pk)
    if unreadable:
        raise UnreadableSecrets(unreadable)
    stale = [d for d in devices if not crypto.encrypted_with_newest_key(d.encrypted_key)]
    if not dry_run:
        for device in stale:
            device.encrypted_key = crypto.reencrypt(device.encrypted_key)
        EncryptedTOTPDevice.objects.bulk_update(stale, ["encrypted_key"], batch_size=500)
    return RekeyReport(reencrypted=len(stale), already_current=len(devices) - len(stale))
