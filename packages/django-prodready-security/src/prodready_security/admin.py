"""Admin registrations of the package, defined in their feature subpackages."""

from prodready_security.audit import admin as audit_admin
from prodready_security.headers import admin as headers_admin
from prodready_security.otp import admin as otp_admin
from prodready_security.sessions import admin as sessions_admin

__all__ = ["audit_admin", "headers_admin", "otp_admin", "sessions_admin"]
