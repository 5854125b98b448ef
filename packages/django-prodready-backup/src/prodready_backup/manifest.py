"""The manifest: a JSON description of one backup, written after its object is complete.

A backup whose manifest is missing is incomplete and never listed as good. A
:class:`BackupInfo` is a manifest with what this site recorded about the backup.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any

from prodready_backup.errors import IntegrityError

if TYPE_CHECKING:
    from prodready_backup.models import BackupRecord

MANIFEST_VERSION = 1


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

    @property
    def created(self) -> datetime:
        return datetime.fromisoformat(self.created_at)

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
        }
