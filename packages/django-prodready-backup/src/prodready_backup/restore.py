"""Restores: every check first, then a safety backup, then one all-or-nothing load."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import prodready
from prodready_backup.backups import create_backup, find_backup
from prodready_backup.errors import PlaintextRefused, RefusedError, describe
from prodready_backup.lock import target_lock
from prodready_backup.manifest import Manifest
from prodready_backup.models import BackupRecord
from prodready_backup.plaintext import RESTORE_REFUSED, restore_needs_encryption
from prodready_backup.progress import Counters, Reading
from prodready_backup.record_keeping import keep_records
from prodready_backup.steps import Steps
from prodready_backup.targets import database_target, get_target
from prodready_backup.verify import check_object, read_backup


@dataclass
class RestoreResult:
    backup_id: str
    target: str
    safety_backup_id: str | None
    #: What went wrong after the data was restored (the backup records not kept, ...).
    warnings: list[str] = field(default_factory=list)


def restore_backup(
    backup_id: str,
    *,
    target_name: str | None = None,
    into_database: str | None = None,
    confirm: Callable[[Manifest], bool] | None = None,
    safety_backup: bool = True,
    actor: Any = None,
    progress: Callable[[Counters | Reading], None] | None = None,
    progress_every: float = 1.0,
    allow_plaintext: bool = False,
) -> RestoreResult:
    """Restore ``backup_id`` into its target (or ``target_name``, or the database alias
    ``into_database``, which need not be a backup target).

    Refuses, before anything is touched, a backup that is incomplete, fails its checksum
    or authentication, was made by a newer format, or is of another engine; and an
    unencrypted one when this site has encryption keys, unless ``allow_plaintext``.
    ``confirm`` is asked last, once the backup is known to be sound. ``progress`` is
    reported to by each pass: the "check" and the "restore" (:class:`Reading`) and the
    safety backup between them (:class:`Counters`).
    """
    into = database_target(into_database) if into_database is not None else None
    info = find_backup(backup_id)  # a newer manifest format is refused here
    manifest = info.manifest
    target = into or get_target(target_name or manifest.target)
    if manifest.engine != target.engine:
        raise RefusedError(
            f"Backup {backup_id} is a {manifest.engine} backup and cannot be restored into "
            f"{target.name}, which is {target.engine}."
        )
    encrypted_only = restore_needs_encryption(allow_plaintext)
    if encrypted_only and manifest.encryption == "none":
        raise PlaintextRefused(RESTORE_REFUSED)  # the object's header is checked as well
    # Checksum, tags, key, format version: all before any change.
    check_object(manifest, progress, progress_every, require_encryption=encrypted_only)
    if confirm is not None and not confirm(manifest):
        raise RefusedError("Restore cancelled; nothing was changed.")
    # Held through the safety backup and the load: no scheduled backup or prune interleaves.
    with target_lock(target.name), keep_records(target) as records:
        safety = None
        steps = Steps()
        try:
            if safety_backup:
                with steps.step("safety backup"):
                    safety = create_backup(
                        target,
                        reason=f"before restoring {backup_id}",
                        progress=progress,
                        progress_every=progress_every,
                        lock_held=True,
                    )
            with (
                steps.step("restore"),
                read_backup(
                    manifest,
                    what="restore",
                    progress=progress,
                    progress_every=progress_every,
                    require_encryption=encrypted_only,
                ) as chunks,
            ):
                records.save()
                restored = target.restore(chunks)
            # Before the records are written back: they are not the backup's.
            with steps.step("restore"):
                mismatch = _count_mismatch(target, manifest, safety, restored)
        except Exception as exc:
            _restore_failed(info.record, backup_id, target.name, steps.failed, exc, actor)
            raise
        warnings = [w for w in [mismatch, records.write_back()] if w]
    prodready.audit(
        "backup.restored",
        actor=actor,
        target=info.record,
        backup_id=backup_id,
        into=target.name,
        safety_backup_id=safety.backup_id if safety else None,
        warnings=warnings,
    )
    prodready.notify(
        f"Backup {backup_id} restored into {target.name}",
        f"{target.name} now holds the data of backup {backup_id} ({manifest.created_at})."
        + "".join(f"\n\nWarning: {warning}" for warning in warnings),
        level="warning",
        source="prodready_backup",
        target=target.name,
    )
    return RestoreResult(backup_id, target.name, safety.backup_id if safety else None, warnings)


def _count_mismatch(
    target: Any, manifest: Manifest, safety: BackupRecord | None, restored: dict[str, int] | None
) -> str | None:
    """A warning when the restored row counts (``restored``, those ``restore()`` returned,
    or else the target's current ones) differ from the manifest's, else None."""
    if not manifest.row_counts:
        return None
    current_facts = getattr(target, "current_facts", None)
    found = current_facts().row_counts if restored is None and current_facts else restored
    if found is None:
        return None
    differ = [
        f"{table} has {found.get(table)} rows (the manifest says {manifest.row_counts.get(table)})"
        for table in sorted(set(manifest.row_counts) | set(found))
        if found.get(table) != manifest.row_counts.get(table)
    ]
    if not differ:
        return None
    back = f" Backup {safety.backup_id} holds the data from before." if safety else ""
    return (
        f"After the restore, {len(differ)} table(s) differ from the backup's manifest: "
        f"{'; '.join(differ[:5])}.{back}"
    )


def _restore_failed(
    record: Any, backup_id: str, into: str, step: str, exc: Exception, actor: Any
) -> None:
    message = describe(exc)
    prodready.audit(
        "backup.restore_failed",
        actor=actor,
        target=record,
        backup_id=backup_id,
        into=into,
        step=step,
        error=message,
    )
    prodready.notify(
        f"Restoring backup {backup_id} into {into} failed",
        f"Restoring {backup_id} into {into} failed at step {step!r}: {message}",
        level="error",
        source="prodready_backup",
        target=into,
        step=step,
    )
