"""2FA's readiness rule: ``prodready_security.R020`` (security) staff must use 2FA."""

from __future__ import annotations

from prodready import Finding
from prodready_security.conf import conf
from prodready_security.otp.checks import ENFORCEMENT, enforced


def findings() -> list[Finding]:
    return [staff_must_use_2fa()]


def staff_must_use_2fa() -> Finding:
    covers_staff = bool({"staff", "all"} & set(conf.OTP_REQUIRED_FOR))
    passed = enforced() and covers_staff
    if not enforced():
        detail = f"{ENFORCEMENT} is not in MIDDLEWARE."
    elif not covers_staff:
        detail = f"PRODREADY_OTP_REQUIRED_FOR is {conf.OTP_REQUIRED_FOR!r}, without 'staff'."
    else:
        detail = ""
    return Finding(
        "prodready_security.R020",
        "security",
        "Staff must use two-factor authentication",
        passed,
        fix=f"Add {ENFORCEMENT} to MIDDLEWARE after django_otp.middleware.OTPMiddleware "
        "(or prodready_security.otp.middleware.VerifiedDeviceMiddleware), "
        "and keep 'staff' in PRODREADY_OTP_REQUIRED_FOR.",
        weight=3,
        detail=detail,
    )
