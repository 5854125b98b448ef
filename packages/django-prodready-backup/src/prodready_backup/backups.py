"""Creating, listing and finding backups: the orchestration around the pipeline."""

from __future__ import annotations

import logging
import os
import platform
import secrets
import socket
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import django
from django.apps import apps
from django.core.files.storage import Storage
from django.db import DEFAULT_DB_ALIAS, DatabaseError, router
from django.utils import timezone

import prodready
from prodready_backup import crypto, immutable, storage
from prodready_backup.conf import conf
from prodready_backup.errors import (
    BackupError,
    DatabaseUnreachable,
    IntegrityError,
    NotFound,
    StepError,
    describe,
)
from prodready_backup.lock import target_lock
from prodready_backup.manifest import BackupInfo, Manifest
from prodready_backup.models import BackupRecord, username
from prodready_backup.pipeline import HashingReader, encode
from prodready_backup.plaintext import plaintext_problem
from prodready_backup.progress import Counters, ProgressCallback, Throttle
from prodready_backup.steps import Steps
from prodready_backup.targets import Facts, all_targets, get_target
from prodready_backup.verify import verify_backup

if TYPE_CHECKING:
    from prodready import BackupTarget

logger = logging.getLogger(__name__)

INTERRUPTED = "The run stopped before finishing: its process crashed or was killed."


def new_backup_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def app_versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "django": django.__version__}
    for config in apps.get_app_configs():
        version = getattr(config.module, "__version__", None)
        if isinstance(version, str):
            versions[config.name] = version
    return versions


def mark_interrupted(target: str) -> int:
    """Mark the target's "running" records failed; call only while holding its lock."""
    return BackupRecord.objects.filter(target=target, status=BackupRecord.Status.RUNNING).update(
        status=BackupRecord.Status.FAILED,
        error=INTERRUPTED,
        failed_step="interrupted",
        finished_at=timezone.now(),
    )


def create_backup(
    target: BackupTarget,
    *,
    reason: str = "manual",
    verify: bool | None = None,
    progress: ProgressCallback | None = None,
    progress_every: float = 1.0,
    actor: Any = None,
    lock_held: bool = False,
) -> BackupRecord:
    """Back up one target; returns the succeeded record or raises with a failed one saved.

    ``progress``, when given, is called with the pipeline's :class:`Counters` at most
    once every ``progress_every`` seconds while the source is read.
    A failed record's ``failed_step`` is one of ``steps.STEPS`` (or "interrupted"); a
    database that cannot be reached for the lock or the record fails it at "start".
    ``actor`` is the user who asked for it (None: the schedule or the command line); it
    is recorded as ``requested_by`` and is the actor of the audit events.
    ``lock_held`` is for a caller that holds the target's lock already (a restore, whose
    safety backup must not let another run in between).
    """
    with ExitStack() as held:
        record = _start(target, reason, actor, None if lock_held else held)
        steps = Steps()
        try:
            with steps.step("upload"):  # opening the storage is part of the upload
                store = storage.backup_storage()
            manifest = _write(target, record, store, steps, progress, progress_every)
            with steps.step("upload"):
                record.status = BackupRecord.Status.SUCCEEDED
                record.stored_bytes = manifest.stored_bytes
                record.source_bytes = manifest.source_bytes
                record.sha256 = manifest.sha256
                record.finished_at = timezone.now()
                record.duration_seconds = manifest.timings["total_seconds"]
                record.save()
            if conf.BACKUP_VERIFY_AFTER_CREATE if verify is None else verify:
                with steps.step("verify"):
                    info = BackupInfo(manifest, record)
                    result = verify_backup(info, how="checksum", actor=actor)
                    if not result.ok:
                        storage.delete_backup(store, manifest)
                        raise IntegrityError(result.problems[0])
        except Exception as exc:
            _failed(record, steps.failed, exc, actor)
            raise
        _succeeded(record, actor)
    return record


def _start(target: BackupTarget, reason: str, actor: Any, held: ExitStack | None) -> BackupRecord:
    """Take the target's lock into ``held`` (None: the caller holds it) and record the run.

    Another run holding the lock is no failure (``LockHeld``, nothing recorded). A
    database that cannot be reached for the lock or the record is: the run is recorded
    as failed at step "start" where the records' database allows, and notified.
    """
    try:
        if held is not None:
            held.enter_context(target_lock(target.name))
        return _started(target, reason, actor)
    except DatabaseUnreachable as exc:
        _not_started(target, reason, actor, exc)
        raise
    except DatabaseError as exc:
        alias = router.db_for_write(BackupRecord) or DEFAULT_DB_ALIAS
        cause = " ".join(str(exc).split()) or type(exc).__name__
        problem = DatabaseUnreachable(
            f"The backup records cannot be written to the {alias} database: {cause}"
        )
        _not_started(target, reason, actor, problem)
        raise problem from exc


def _not_started(target: BackupTarget, reason: str, actor: Any, exc: BackupError) -> None:
    now = timezone.now()
    record = BackupRecord(
        backup_id=new_backup_id(),
        target=target.name,
        status=BackupRecord.Status.FAILED,
        failed_step="start",
        error=str(exc),
        reason=reason[: BackupRecord._meta.get_field("reason").max_length],
        requested_by=username(actor),
        host=socket.gethostname(),
        pid=os.getpid(),
        started_at=now,
        finished_at=now,
        duration_seconds=0,
    )
    try:
        record.save()
    except DatabaseError:
        logger.warning("The failed start of a backup of %s cannot be recorded", target.name)
    logger.error("Backup of %s could not start: %s", target.name, exc)
    prodready.notify(
        f"Backup of {target.name} failed",
        f"The backup of {target.name} could not start: {exc}",
        level="error",
        source="prodready_backup",
        target=target.name,
        step="start",
    )


def _started(target: BackupTarget, reason: str, actor: Any) -> BackupRecord:
    """The record of a new run; call only while holding the target's lock."""
    stale = mark_interrupted(target.name)
    if stale:
        logger.warning("Marked %d interrupted backup run(s) of %s failed", stale, target.name)
        prodready.notify(
            f"A backup run of {target.name} crashed",
            f"{stale} backup run(s) of {target.name} stopped before finishing (the process "
            "crashed or was killed) and are marked failed; what they left in the backup "
            "storage is removed by `backup prune`.",
            level="error",
            source="prodready_backup",
            target=target.name,
            step="interrupted",
        )
    return BackupRecord.objects.create(
        backup_id=new_backup_id(),
        target=target.name,
        reason=reason[: BackupRecord._meta.get_field("reason").max_length],
        requested_by=username(actor),
        host=socket.gethostname(),
        pid=os.getpid(),
        started_at=timezone.now(),
    )


def _write(
    target: BackupTarget,
    record: BackupRecord,
    store: Storage,
    steps: Steps,
    progress: ProgressCallback | None,
    progress_every: float,
) -> Manifest:
    with steps.step("encrypt"):
        keys = crypto.configured_keys()
        key = keys[0] if keys else None
        problem = plaintext_problem() if key is None else None
        if problem is not None:  # the check's rule, for workers where checks do not run
            raise StepError(f"{problem} ({problem.id})")
    started = time.monotonic()
    name = storage.object_name(target.name, record.backup_id)
    created_at = record.started_at.astimezone(UTC).isoformat()
    counters = Counters()
    # Leaving open_dump waits for the source to finish: what fails then is the dump.
    with steps.step("dump"), target.open_dump() as dump:
        pieces = encode(
            dump.chunks,
            compression_name=conf.BACKUP_COMPRESSION,
            key=key,
            counters=counters,
            on_read=Throttle(progress, counters, progress_every).tick,
            steps=steps,
            identity=crypto.identity(record.backup_id, target.name, target.engine, created_at),
        )
        reader = HashingReader(pieces, counters)
        with steps.step("upload"):
            storage.write_atomically(store, name, storage.buffered(reader))
            immutable.retain(store, name)
    written = time.monotonic()
    facts: Facts = dump.facts
    with steps.step("upload"):
        manifest = Manifest(
            backup_id=record.backup_id,
            target=target.name,
            engine=target.engine,
            object_name=name,
            created_at=created_at,
            server_version=facts.server_version,
            database=facts.database,
            app_versions=app_versions(),
            migrations=facts.migrations,
            row_counts=facts.row_counts,
            source_bytes=counters.source_bytes,
            stored_bytes=counters.stored_bytes,
            sha256=counters.sha256,
            compression=conf.BACKUP_COMPRESSION,
            encryption="aes-256-gcm" if key else "none",
            key_id=key.id if key else None,
            timings={
                "dump_and_write_seconds": round(written - started, 3),
                "total_seconds": round(time.monotonic() - started, 3),
            },
            host=record.host,
            reason=record.reason,
        )
        if key is not None:
            manifest.sign(key)
        storage.write_manifest(store, manifest)
        immutable.retain(store, storage.manifest_name(manifest.target, manifest.backup_id))
    return manifest


def _failed(record: BackupRecord, step: str, exc: Exception, actor: Any) -> None:
    message = describe(exc)
    record.status = BackupRecord.Status.FAILED
    record.failed_step = step
    record.error = message
    record.finished_at = timezone.now()
    record.duration_seconds = (record.finished_at - record.started_at).total_seconds()
    record.save()
    logger.error("Backup of %s failed at %s: %s", record.target, step, message)
    prodready.notify(
        f"Backup of {record.target} failed",
        f"The backup {record.backup_id} of {record.target} failed at step {step!r}: {message}",
        level="error",
        source="prodready_backup",
        target=record.target,
        step=step,
    )
    prodready.audit("backup.failed", actor=actor, target=record, step=step, error=message)


def _succeeded(record: BackupRecord, actor: Any) -> None:
    prodready.audit(
        "backup.created",
        actor=actor,
        target=record,
        size=record.stored_bytes,
        reason=record.reason,
    )
    if conf.BACKUP_NOTIFY_SUCCESS:
        prodready.notify(
            f"Backup of {record.target} succeeded",
            f"The backup {record.backup_id} of {record.target} holds {record.stored_bytes} bytes.",
            level="info",
            source="prodready_backup",
            target=record.target,
        )


def list_backups(target: str | None = None) -> list[BackupInfo]:
    """Complete backups, newest first, with their verification records."""
    store = storage.backup_storage()
    names = [target] if target else storage.targets_in(store)
    manifests = [m for name in names for m in storage.manifests(store, name)]
    records = {
        r.backup_id: r
        for r in BackupRecord.objects.filter(backup_id__in=[m.backup_id for m in manifests])
    }
    infos = [BackupInfo(m, records.get(m.backup_id)) for m in manifests]
    return sorted(infos, key=lambda i: i.manifest.created_at, reverse=True)


def find_backup(backup_id: str) -> BackupInfo:
    store = storage.backup_storage()
    for name in storage.targets_in(store):
        if store.exists(storage.manifest_name(name, backup_id)):
            manifest = storage.read_manifest(store, name, backup_id)
            record = BackupRecord.objects.filter(backup_id=backup_id).first()
            return BackupInfo(manifest, record)
    raise NotFound(
        f"There is no complete backup {backup_id!r} in the backup storage; "
        "`manage.py backup list` shows them."
    )


def targets_by_name(name: str | None) -> list[BackupTarget]:
    if name is None:
        return all_targets()
    return [get_target(name)]
