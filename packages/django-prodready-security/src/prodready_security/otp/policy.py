"""Who must use two-factor authentication (``PRODREADY_OTP_REQUIRED_FOR`` and ``_GROUPS``)."""

from __future__ import annotations

from typing import Any

from prodready_security.conf import conf


def otp_required(user: Any) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    required = conf.OTP_REQUIRED_FOR
    if "all" in required:
        return True
    # getattr: a custom user model need not have these flags.
    if "superusers" in required and getattr(user, "is_superuser", False):
        return True
    if "staff" in required and getattr(user, "is_staff", False):
        return True
    groups = conf.OTP_REQUIRED_GROUPS
    return (
        bool(groups) and hasattr(user, "groups") and user.groups.filter(name__in=groups).exists()
    )
