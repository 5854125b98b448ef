"""The manifest: a JSON description of one backup, written after its object is complete.

A backup whose manifest is missing is incomplete and never listed as good. A
:class:`BackupInfo` is a manifest with what this site recorded about the backup.

From format version 2 an encrypted backup's manifest carries a ``signature`` (see
``crypto.sign_manifest``): :meth:`Manifest.authenticate` refuses one that was edited,
and the object's chunks authenticate the manifest's :attr:`Manifest.identity`, so an
object restores only under its own manifest.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any

from prodready_backup import crypto
from prodready_backup.errors import IntegrityError, KeyMissing

if TYPE_CHECKING:
    from prodready_backup.models import BackupRecord

MANIFEST_VERSION = 2


@dataclass
class Manifest:
    backup_id: str
    target: str
    engine: str
    object_name: str
    created_at: str  # ISO 8601, UTC
    format_version: int = MANIFEST_VERSION
    server_version: str = ""
    database: str = ""
    app_versions: dict[str, str] = field(default_factory=dict)
    migrations: list[str] = field(default_factory=list)
    row_counts: dict[str, int] = field(default_factory=dict)
    source_bytes: int = 0
    stored_bytes: int = 0
    sha256: str = ""
    compression: str = "zstd"
    encryption: str = "none"
    key_id: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    host: str = ""
    reason: str = ""
    signature: str = ""

    @property
    def created(self) -> datetime:
        return datetime.fromisoformat(self.created_at)

    @property
    def identity(self) -> bytes | None:
        """What the object's chunks authenticate; None for a format 1 manifest."""
        if self.format_version < crypto.IDENTITY_VERSION:
            return None
        return crypto.identity(self.backup_id, self.target, self.engine, self.created_at)

    def _signed_payload(self) -> bytes:
        fields = {k: v for k, v in asdict(self).items() if k != "signature"}
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()

    def sign(self, key: crypto.Key) -> None:
        self.signature = crypto.sign_manifest(self._signed_payload(), key)

    def authenticate(self, keys: list[crypto.Key]) -> None:
        """Raise unless the manifest is as its backup wrote it (encrypted backups only).

        A format 1 manifest predates signatures and an unencrypted backup has no key to
        sign with: both pass, as the object's checksum and the plaintext rule decide.
        Raises :class:`KeyMissing` when the backup's key is not configured here.
        """
        if self.format_version < crypto.IDENTITY_VERSION or self.key_id is None:
            return
        key = next((k for k in keys if k.id == self.key_id), None)
        if key is None:
            raise KeyMissing(
                f"The backup is encrypted with key {self.key_id}, which is not in "
                "PRODREADY_BACKUP_ENCRYPTION_KEYS: add that key to read it."
            )
        if not crypto.signature_matches(self._signed_payload(), self.signature, key):
            raise IntegrityError(
                f"The manifest of backup {self.backup_id} fails authentication: it was "
                "altered after the backup was made. Nothing was changed."
            )

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=2, sort_keys=True).encode()

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        try:
            raw = json.loads(data)
        except ValueError as exc:
            raise IntegrityError(f"The manifest is not valid JSON ({exc}).") from exc
        if not isinstance(raw, dict) or "backup_id" not in raw:
            raise IntegrityError("The manifest is not a django-prodready backup manifest.")
        version = raw.get("format_version", 0)
        if not isinstance(version, int) or version > MANIFEST_VERSION:
            raise IntegrityError(
                f"The manifest has format version {version!r}, newer than this version "
                f"reads ({MANIFEST_VERSION}): upgrade django-prodready-backup."
            )
        known = {f.name for f in fields(cls)}
        try:
            return cls(**{k: v for k, v in raw.items() if k in known})
        except TypeError as exc:
            raise IntegrityError(f"The manifest lacks a field ({exc}).") from exc


@dataclass
class BackupInfo:
    """A complete backup (its manifest) and what this site recorded about it."""

    manifest: Manifest
    record: BackupRecord | None

    @property
    def backup_id(self) -> str:
        return self.manifest.backup_id

    @property
    def verified(self) -> bool:
        return bool(self.record and self.record.verified_ok)

    def as_dict(self) -> dict[str, object]:
        record = self.record
        return {
            **self.manifest.as_dict(),
            "verified_at": record.verified_at.isoformat()
            if record and record.verified_at
            else None,
            "verified_ok": record.verified_ok if record else None,
            "verified_how": record.verified_how if record else "",
            "verify_error": record.verify_error if record else "",
            "restore_test_seconds": record.restore_test_seconds if record else None,
        }
