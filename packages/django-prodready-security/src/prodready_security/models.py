"""The package's models, defined in their feature subpackages."""

from prodready_security.audit.models import AuditChainHead, AuditEvent
from prodready_security.otp.models import BackupCode, BackupCodeDevice, EncryptedTOTPDevice

__all__ = [
    "AuditChainHead",
    "AuditEvent",
    "BackupCode",
    "BackupCodeDevice",
    "EncryptedTOTPDevice",
]
