"""Backup codes: random, shown to the user once, stored only as a hash.

Why a hash and not encryption: a backup code is only ever compared, never shown
again, so nothing needs to read it back. A hash leaks nothing when the database
leaks, even together with the encryption keys, and key rotation never has to
touch it. Each code carries 80 random bits, so a fast hash is as safe as a slow
one (2**80 guesses is out of reach) and checking a code stays one indexed lookup.
"""

from __future__ import annotations

import base64
import hashlib
import secrets

CODE_BYTES = 10  # 80 bits, 16 base32 characters
GROUP = 4
# Base32 has no 0, 1, 8 or 9; the two a person is likely to type by mistake are mapped.
_LOOKALIKES = str.maketrans({"0": "o", "1": "l"})


def new_code() -> str:
    """A fresh code as shown to the user: ``abcd-efgh-ijkl-mnop``."""
    raw = base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii").lower()
    return "-".join(raw[i : i + GROUP] for i in range(0, len(raw), GROUP))


def normalize(code: str) -> str:
    """What the user typed, without spaces, dashes or case, look-alikes mapped."""
    return "".join(code.split()).replace("-", "").lower().translate(_LOOKALIKES)


def digest(code: str) -> str:
    # Prefixed so the digest of a code can never equal a digest made for anything else.
    return hashlib.sha256(b"prodready-otp-backup-code:" + normalize(code).encode()).hexdigest()


def looks_like_backup_code(code: str) -> bool:
    return len(normalize(code)) == CODE_BYTES * 8 // 5
