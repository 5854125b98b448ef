"""Encryption of TOTP secrets at rest with the keys of ``PRODREADY_OTP_ENCRYPTION_KEYS``.

The keys are Fernet keys, newest first: the first encrypts, every one is tried
to decrypt (``MultiFernet``), so a new key can be deployed before the old one is
retired and ``manage.py otp reencrypt`` moves existing secrets onto it.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.core.exceptions import ImproperlyConfigured

from prodready_security.conf import conf

__all__ = ["InvalidToken", "decrypt", "encrypt", "encrypted_with_newest_key", "reencrypt"]

SETTING = "PRODREADY_OTP_ENCRYPTION_KEYS"


def _fernets() -> list[Fernet]:
    keys = conf.OTP_ENCRYPTION_KEYS
    if not keys:
        raise ImproperlyConfigured(
            f"{SETTING} is empty: two-factor secrets cannot be encrypted. "
            "Generate a key with `manage.py otp generate-key` and list it in the setting."
        )
    try:
        return [Fernet(key) for key in keys]
    except (ValueError, TypeError):
        # Never repeat the value: it is a secret.
        raise ImproperlyConfigured(
            f"{SETTING} holds a value that is not a Fernet key (see prodready_security.E021)."
        ) from None


def encrypt(secret: bytes) -> str:
    return MultiFernet(_fernets()).encrypt(secret).decode("ascii")


def decrypt(token: str) -> bytes:
    """The secret, decrypted with whichever configured key encrypted it.

    Raises ``InvalidToken`` when no configured key can (the key was removed too soon).
    """
    return MultiFernet(_fernets()).decrypt(token.encode("ascii"))


def reencrypt(token: str) -> str:
    """The same secret, encrypted with the newest key."""
    return MultiFernet(_fernets()).rotate(token.encode("ascii")).decode("ascii")


def encrypted_with_newest_key(token: str) -> bool:
    try:
        _fernets()[0].decrypt(token.encode("ascii"))
    except InvalidToken:
        return False
    return True


def is_valid_key(key: object) -> bool:
    try:
        Fernet(key)  # type: ignore[arg-type]  # validating what a project set
    except (ValueError, TypeError):
        return False
    return True


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


def is_configured() -> bool:
    keys = conf.OTP_ENCRYPTION_KEYS
    return bool(keys) and all(is_valid_key(key) for key in keys)
