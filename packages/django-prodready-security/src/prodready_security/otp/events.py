"""The audit events of 2FA, sent through ``prodready.audit`` to every plugin.

- ``otp.enabled``: a user confirmed a new authenticator
- ``otp.disabled``: a user removed 2FA, or an operator did (no actor, ``by``)
- ``otp.failed``: a wrong, replayed, expired or throttled code (``method``, ``reason``); for a
  passkey (``method="passkey"``) ``reason`` is ``counter_regressed`` when its counter went
  backwards (a copied passkey)
- ``otp.passkey_used``: a passkey verified a session (``name``, ``passwordless``)
- ``otp.backup_code_used``: a backup code was accepted (``remaining``)
- ``otp.backup_codes_regenerated``: a user replaced their backup codes
- ``otp.device_added``: a user added another device (``kind``, ``name``)
- ``otp.device_removed``: a user removed a device (``kind``, ``name``); removing the last
  app removes the backup codes too, one event each
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

import prodready


def record(
    action: str, request: HttpRequest | None, user: Any, *, by_operator: bool = False, **data: Any
) -> None:
    """``user``'s 2FA changed: they are the target and, unless an operator acted, the actor."""
    actor = None if by_operator else user
    prodready.audit(action, actor=actor, target=user, request=request, **data)
