"""The package's models, defined in their feature subpackages."""

from prodready_security.audit.models import AuditChainHead, AuditEvent
from prodready_security.headers.models import CSPReport
from prodready_security.otp.models import (
    BackupCode,
    BackupCodeDevice,
    EncryptedTOTPDevice,
    TrustedBrowser,
)
from prodready_security.ratelimit.models import LoginLockout
from prodready_security.sessions.models import UserSession

__all__ = [
    "AuditChainHead",
    "AuditEvent",
    "BackupCode",
    "BackupCodeDevice",
    "CSPReport",
    "EncryptedTOTPDevice",
    "LoginLockout",
    "TrustedBrowser",
    "UserSession",
]
