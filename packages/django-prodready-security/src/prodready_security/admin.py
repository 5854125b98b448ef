"""Admin registrations of the package, defined in their feature subpackages."""

from prodready_security.audit import admin as audit_admin
from prodready_security.otp import admin as otp_admin

__all__ = ["audit_admin", "otp_admin"]
