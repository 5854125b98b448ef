"""A user's second factors as one list: each named, with its last use, each removable.

Every kind of device (authenticator apps, passkeys, the set of backup codes)
is listed and removed the same way. Removing one needs a current second factor (the
view checks it); removing the last app while the user must use 2FA is refused, since
backup codes alone run out. Removing the last app of a user who may go without 2FA
turns 2FA off, so the backup codes go with it. Each addition and removal is an audit
event (``otp.device_added``, ``otp.device_removed``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext

from prodready_security.otp.events import record
from prodready_security.otp.models import BackupCodeDevice, EncryptedTOTPDevice, PasskeyDevice
from prodready_security.otp.policy import otp_required

# The URL's name for each kind of device, and its model.
KINDS: dict[str, type[Any]] = {
    "app": EncryptedTOTPDevice,
    "passkey": PasskeyDevice,
    "backup": BackupCodeDevice,
}
# Kinds that sign in on their own; backup codes are a fallback that runs out.
PRIMARY = ("app", "passkey")


@dataclass(frozen=True)
class ListedDevice:
    kind: str  # a key of KINDS
    device: Any

    @property
    def name(self) -> str:
        return str(self.device.name)

    @property
    def created_at(self) -> datetime | None:
        return self.device.created_at  # type: ignore[no-any-return]

    @property
    def last_used_at(self) -> datetime | None:
        return self.device.last_used_at  # type: ignore[no-any-return]

    @property
    def pk(self) -> int:
        return int(self.device.pk)


def listed(user: Any) -> list[ListedDevice]:
    """Every confirmed device of ``user``: apps first, then passkeys, then backup codes."""
    found = [
        ListedDevice(kind, device)
        for kind, model in KINDS.items()
        for device in model.objects.filter(user=user, confirmed=True).order_by("pk")
    ]
    return found


def find(user: Any, kind: str, pk: int) -> ListedDevice | None:
    """``user``'s own confirmed device of that kind, else None (another user's too)."""
    model = KINDS.get(kind)
    if model is None:
        return None
    device = model.objects.filter(user=user, confirmed=True, pk=pk).first()
    return ListedDevice(kind, device) if device is not None else None


def refusal(user: Any, target: ListedDevice) -> str | None:
    """Why ``target`` may not be removed, if it may not."""
    if not otp_required(user):
        return None
    others = [d for d in listed(user) if d.kind in PRIMARY and d.device != target.device]
    if target.kind in PRIMARY and not others:
        return gettext(
            "This is your last way to sign in with a second factor, and your account must "
            "use one. Add another authenticator app first, then remove this one."
        )
    return None


class Refused(Exception):
    """The device may not be removed; the message says why and what to do."""


@transaction.atomic
def remove(request: HttpRequest | None, user: Any, target: ListedDevice) -> bool:
    """Remove ``target``; True when that turned 2FA off (the last app went).

    The user's apps and passkeys are locked first, so two requests removing their last two at
    once cannot both pass :func:`refusal`. :class:`Refused` when it does not pass.
    """
    for model in (EncryptedTOTPDevice, PasskeyDevice):
        list(model.objects.select_for_update().filter(user=user))
    reason = refusal(user, target)
    if reason is not None:
        raise Refused(reason)
    target.device.delete()
    record("otp.device_removed", request, user, kind=target.kind, name=target.name)
    if target.kind in PRIMARY and not [d for d in listed(user) if d.kind in PRIMARY]:
        for rest in listed(user):
            rest.device.delete()
            record("otp.device_removed", request, user, kind=rest.kind, name=rest.name)
        return True
    return False


def added(request: HttpRequest | None, user: Any, kind: str, device: Any) -> None:
    record("otp.device_added", request, user, kind=kind, name=str(device.name))
