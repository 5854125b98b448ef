"""Immutable copies: each backup object and manifest written with an S3 Object Lock
retention, so that a compromised site cannot delete or overwrite its own backups.

With ``PRODREADY_BACKUP_OBJECT_LOCK_DAYS`` set, every object and manifest gets a
retention of that many days in ``PRODREADY_BACKUP_OBJECT_LOCK_MODE`` (``GOVERNANCE`` or
``COMPLIANCE``) once written. The bucket must have Object Lock enabled (it is then
versioned: a delete or an overwrite leaves the retained version in place, and deleting
that version is refused by the storage until the date). Prune keeps what is still
retained, naming the date.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.files.storage import Storage
from django.utils import timezone

from prodready_backup.conf import conf
from prodready_backup.errors import BackupError


def _s3(store: Storage) -> tuple[Any, str, str] | None:
    """The boto3 client, bucket and key prefix of an S3Storage; None for other storages."""
    connection = getattr(store, "connection", None)
    bucket = getattr(store, "bucket_name", None)
    if connection is None or not bucket:
        return None
    return connection.meta.client, bucket, str(getattr(store, "location", "") or "")


def _key(prefix: str, name: str) -> str:
    return f"{prefix.strip('/')}/{name}" if prefix.strip("/") else name


def retain(store: Storage, name: str) -> None:
    """Give ``name`` its retention (nothing when the setting is off)."""
    days = conf.BACKUP_OBJECT_LOCK_DAYS
    if not days:
        return
    found = _s3(store)
    if found is None:
        raise BackupError(
            "PRODREADY_BACKUP_OBJECT_LOCK_DAYS is set but the backup storage is not an S3 "
            "storage: set PRODREADY_BACKUP_STORAGE to an S3 bucket with Object Lock, or "
            "PRODREADY_BACKUP_OBJECT_LOCK_DAYS to None."
        )
    client, bucket, prefix = found
    until = timezone.now() + timedelta(days=days)
    try:
        client.put_object_retention(
            Bucket=bucket,
            Key=_key(prefix, name),
            Retention={"Mode": conf.BACKUP_OBJECT_LOCK_MODE, "RetainUntilDate": until},
        )
    except Exception as exc:  # botocore's ClientError, untyped and optional
        raise BackupError(
            f"Setting the Object Lock retention of {name} failed ({exc}): enable Object "
            f"Lock on bucket {bucket!r}, or set PRODREADY_BACKUP_OBJECT_LOCK_DAYS to None."
        ) from exc


def retained_until(store: Storage, name: str) -> datetime | None:
    """Until when the storage refuses to delete ``name``; None if it does not."""
    found = _s3(store)
    if found is None:
        return None
    client, bucket, prefix = found
    try:
        head = client.head_object(Bucket=bucket, Key=_key(prefix, name))
    except Exception:  # missing, or no permission to read its retention: not retained here
        return None
    until: datetime | None = head.get("ObjectLockRetainUntilDate")
    return until if until is not None and until > timezone.now() else None
