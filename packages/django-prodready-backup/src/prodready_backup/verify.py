"""Verification: the whole object's checksum and tags, then a restore into a scratch copy."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

import prodready
from prodready_backup import crypto, storage
from prodready_backup.errors import BackupError, KeyMissing, describe
from prodready_backup.manifest import BackupInfo, Manifest
from prodready_backup.models import BackupRecord, username
from prodready_backup.pipeline import decode
from prodready_backup.progress import Reading, ReadingCallback, Throttle
from prodready_backup.targets import base, get_target

logger = logging.getLogger(__name__)

How = Literal["checksum", "restore"]


@dataclass
class VerifyResult:
    backup_id: str
    how: How
    ok: bool
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: Why this host cannot judge the backup (its key is not configured here), or "".
    #: The backup's recorded verdict is left as it was.
    cannot_verify: str = ""
    #: How long the restore into a scratch copy took (None: none was made).
    restore_test_seconds: float | None = None


@contextmanager
def read_backup(
    manifest: Manifest,
    *,
    what: str,
    progress: ReadingCallback | None = None,
    progress_every: float = 1.0,
    require_encryption: bool = False,
) -> Iterator[Iterator[bytes]]:
    """The decoded bytes of a stored backup (see ``pipeline.decode``), with progress.

    ``progress``, when given, is called with a :class:`Reading` named ``what`` at most
    once every ``progress_every`` seconds while the object is read.
    ``require_encryption`` refuses an unencrypted object (``PlaintextRefused``). The
    manifest is authenticated once the object's header is read, and the object against
    the manifest's identity.
    """
    reading = Reading(manifest.backup_id, what, manifest.stored_bytes)
    throttle = Throttle(progress, reading, progress_every)

    def advance(read_bytes: int) -> None:
        reading.read_bytes = read_bytes
        throttle.tick()

    keys = crypto.configured_keys()
    store = storage.backup_storage()
    with storage.open_object(store, manifest) as handle:
        yield decode(
            handle,
            keys=keys,
            sha256=manifest.sha256,
            on_read=advance if progress is not None else None,
            require_encryption=require_encryption,
            identity=manifest.identity,
            on_header=lambda header: manifest.authenticate(keys),
        )


def check_object(
    manifest: Manifest,
    progress: ReadingCallback | None = None,
    progress_every: float = 1.0,
    require_encryption: bool = False,
) -> None:
    """Read the whole object once: raises IntegrityError unless every byte checks out."""
    size = 0
    with read_backup(
        manifest,
        what="check",
        progress=progress,
        progress_every=progress_every,
        require_encryption=require_encryption,
    ) as chunks:
        for chunk in chunks:
            size += len(chunk)
    if size != manifest.source_bytes:
        raise BackupError(
            f"The backup decodes to {size} bytes but its manifest says "
            f"{manifest.source_bytes}: it is corrupt."
        )


def verify_backup(
    info: BackupInfo,
    how: How = "restore",
    progress: ReadingCallback | None = None,
    progress_every: float = 1.0,
    actor: Any = None,
) -> VerifyResult:
    """Verify a backup and record the outcome; never raises for a bad backup.

    Where the backup's key is not configured, nothing is judged nor recorded: the
    result's ``cannot_verify`` says why.

    ``progress`` is reported to as in :func:`read_backup`, once per pass ("check", then
    "restore test"). ``actor`` is the user who asked for it (None: the schedule, the
    command line or the backup itself), recorded as ``verify_requested_by``.
    """
    manifest = info.manifest
    started = time.monotonic()
    result = VerifyResult(manifest.backup_id, how, ok=True)
    try:
        check_object(manifest, progress, progress_every)
        if how == "restore":
            restore_started = time.monotonic()
            _restore_test(manifest, result, progress, progress_every)
            result.restore_test_seconds = round(time.monotonic() - restore_started, 3)
    except KeyMissing as exc:
        result.ok = False
        result.cannot_verify = str(exc)
        logger.warning("Cannot verify %s here: %s", manifest.backup_id, exc)
        return result
    except BackupError as exc:
        result.problems.append(str(exc))
    except Exception as exc:
        # Recorded as a failed verification rather than lost in a worker's log.
        logger.exception("Verifying %s failed unexpectedly", manifest.backup_id)
        result.problems.append(f"Verification failed unexpectedly: {describe(exc)}")
    result.ok = not result.problems
    result.seconds = round(time.monotonic() - started, 3)
    record = _record(info.record, manifest, result, actor)
    prodready.audit(
        "backup.verified",
        actor=actor,
        target=record,
        backup_id=manifest.backup_id,
        how=how,
        ok=result.ok,
        problems=result.problems,
    )
    if not result.ok:
        prodready.notify(
            f"Backup {manifest.backup_id} of {manifest.target} failed verification",
            f"Verification ({how}) of {manifest.backup_id} failed: {result.problems[0]}",
            level="error",
            source="prodready_backup",
            target=manifest.target,
            step="verify",
        )
    return result


def _restore_test(
    manifest: Manifest,
    result: VerifyResult,
    progress: ReadingCallback | None,
    progress_every: float,
) -> None:
    target = get_target(manifest.target)
    if type(target).restore_test is base.BackupTarget.restore_test:
        raise BackupError(f"Target {target.name} does not implement a restore test.")
    if target.engine != manifest.engine:
        raise BackupError(
            f"The backup is of a {manifest.engine} target but {target.name} is {target.engine}."
        )
    with read_backup(
        manifest, what="restore test", progress=progress, progress_every=progress_every
    ) as chunks:
        found = target.restore_test(chunks)
    for table in sorted(set(manifest.row_counts) | set(found.row_counts)):
        expected, actual = manifest.row_counts.get(table), found.row_counts.get(table)
        if expected != actual:
            result.problems.append(
                f"Table {table} has {actual} rows after the restore test; "
                f"the manifest says {expected}."
            )
    if sorted(found.migrations) != sorted(manifest.migrations):
        result.problems.append(
            "The restored migration state differs from the manifest's "
            f"({len(found.migrations)} applied migrations, manifest: {len(manifest.migrations)})."
        )
    if manifest.migrations:
        known = {f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations}
        unknown = sorted(set(manifest.migrations) - known)
        missing = sorted(known - set(manifest.migrations))
        if unknown:
            result.notes.append(
                f"{len(unknown)} migration(s) in the backup are not in this code "
                f"(for example {unknown[0]}): it was made by other code."
            )
        if missing:
            result.notes.append(
                f"{len(missing)} migration(s) of this code are not applied in the backup; "
                "run migrate after restoring it."
            )


def _record(
    record: BackupRecord | None, manifest: Manifest, result: VerifyResult, actor: Any
) -> BackupRecord:
    if record is None:  # a backup made elsewhere (another site, a lost database)
        record, _ = BackupRecord.objects.get_or_create(
            backup_id=manifest.backup_id,
            defaults={
                "target": manifest.target,
                "status": BackupRecord.Status.SUCCEEDED,
                "started_at": manifest.created,
                "stored_bytes": manifest.stored_bytes,
                "source_bytes": manifest.source_bytes,
                "sha256": manifest.sha256,
                "host": manifest.host,
                "reason": manifest.reason,
            },
        )
    record.verified_at = timezone.now()
    record.verified_ok = result.ok
    record.verified_how = result.how
    record.verify_error = result.problems[0] if result.problems else ""
    record.verify_requested_by = username(actor)
    if result.ok and result.restore_test_seconds is not None:
        record.restore_test_seconds = result.restore_test_seconds
    record.save(
        update_fields=[
            "verified_at",
            "verified_ok",
            "verified_how",
            "verify_error",
            "verify_requested_by",
            "restore_test_seconds",
        ]
    )
    return record
