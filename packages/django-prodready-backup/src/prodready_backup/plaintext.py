"""Unencrypted backups: refused in production unless allowed, and refused for restore on a
site that has keys unless the restore is told to accept them.

An unencrypted backup has no authentication tags: whoever can write to the backup
storage can make one (with a manifest and a checksum to match), and a restore would load
it. A site with keys therefore restores only encrypted backups by default.
"""

from __future__ import annotations

from django.conf import settings

from prodready_backup.conf import conf
from prodready_backup.errors import Problem

RESTORE_REFUSED = (
    "The backup is not encrypted, yet this site has encryption keys "
    "(PRODREADY_BACKUP_ENCRYPTION_KEYS): an unencrypted backup cannot be authenticated, "
    "so whoever can write to the backup storage could have made it. Nothing was changed. "
    "If you know where it comes from, restore it with `backup restore --allow-plaintext` "
    "(restore_backup(..., allow_plaintext=True))."
)


def plaintext_problem() -> Problem | None:
    """The error for writing unencrypted backups in production, or None when allowed."""
    if conf.BACKUP_ENCRYPTION_KEYS or settings.DEBUG or conf.BACKUP_ALLOW_PLAINTEXT is True:
        return None
    return Problem(
        "prodready_backup.E009",
        "Backups would be written unencrypted in production: DEBUG is False and "
        "PRODREADY_BACKUP_ENCRYPTION_KEYS is empty.",
        hint="Set PRODREADY_BACKUP_ENCRYPTION_KEYS to a list with one base64 key of 32 "
        'bytes, read from the environment (`python -c "import base64, os; '
        'print(base64.b64encode(os.urandom(32)).decode())"` makes one), or set '
        "PRODREADY_BACKUP_ALLOW_PLAINTEXT = True to keep unencrypted backups knowingly.",
    )


def restore_needs_encryption(allow_plaintext: bool) -> bool:
    """Whether a restore must refuse an unencrypted backup."""
    return bool(conf.BACKUP_ENCRYPTION_KEYS) and not allow_plaintext
