"""Session keys at rest: hashed to find a row, encrypted to revoke its session.

A session key is a bearer credential, so the table never holds one in clear: a leak
of it must not sign anyone in. The encryption key derives from SECRET_KEY (and its
fallbacks, for rotation); a row whose key no longer decrypts is only cleaned up.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

SALT = b"prodready_security.sessions\0"


def key_hash(session_key: str) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest()


def _fernet() -> MultiFernet:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet(
        [
            Fernet(base64.urlsafe_b64encode(hashlib.sha256(SALT + str(s).encode()).digest()))
            for s in secrets
        ]
    )


def encrypt(session_key: str) -> str:
    return _fernet().encrypt(session_key.encode()).decode()


def decrypt(token: str) -> str | None:
    """The session key, or None when no current secret decrypts it."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return None
