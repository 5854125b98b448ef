"""Failures name the step that failed: dump, compress, encrypt, upload (or verify)."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from prodready._ci import admins
from prodready.plugins import hookimpl
from prodready_backup import compression, crypto
from prodready_backup.backups import create_backup, list_backups
from prodready_backup.errors import BackupError, DumpError, RestoreError, TransientBackupError
from prodready_backup.models import BackupRecord
from prodready_backup.restore import restore_backup
from prodready_backup.targets import BackupTarget, Dump, Facts, get_target

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "other"]),
    pytest.mark.usefixtures("backup_dir"),
]


class Breaking(BackupTarget):
    """Streams ``good`` MiB of incompressible data, then raises ``error`` (if any)."""

    name = "exports"
    engine = "files"

    def __init__(self, good: int = 3, error: Exception | None = None) -> None:
        self.good = good
        self.error = error

    @contextmanager
    def open_dump(self) -> Iterator[Dump]:
        def chunks() -> Iterator[bytes]:
            for _ in range(self.good):
                yield os.urandom(1024 * 1024)
            if self.error is not None:
                raise self.error

        yield Dump(chunks(), Facts(row_counts={"files": self.good}))

    def restore(self, chunks: Iterable[bytes]) -> None:
        for _chunk in chunks:
            pass
        raise RestoreError("The export server refused the files; nothing was committed.")


@pytest.fixture
def exports(prodready_plugin) -> Breaking:  # type: ignore[no-untyped-def]
    target = Breaking()

    class Plugin:
        @hookimpl
        def prodready_backup_targets(self) -> list[BackupTarget]:
            return [target]

    prodready_plugin(Plugin())
    return target


def _assert_failed_cleanly(step: str, backup_dir: Path) -> BackupRecord:
    record = BackupRecord.objects.get(target="exports")
    assert record.status == "failed"
    assert record.failed_step == step
    assert list_backups("exports") == []
    assert [p for p in backup_dir.rglob("*") if p.is_file()] == []
    return record


@pytest.mark.parametrize(
    ("error", "raised", "message"),
    [
        (RuntimeError("export server said no"), DumpError, "RuntimeError: export server said no"),
        # An unreadable source is retried later, but it is still the dump that failed.
        (ConnectionResetError(errno.ECONNRESET, "reset by peer"), TransientBackupError, "reset"),
    ],
)
def test_a_source_failing_mid_stream_is_the_dump_step(
    exports: Breaking,
    backup_dir: Path,
    mailoutbox: list[Any],
    error: Exception,
    raised: type[Exception],
    message: str,
) -> None:
    exports.error = error
    with override_settings(ADMINS=admins("ops@example.com")), pytest.raises(raised):
        create_backup(get_target("exports"))
    record = _assert_failed_cleanly("dump", backup_dir)
    assert message in record.error
    assert "backup storage" not in record.error  # not blamed on the storage
    (mail,) = mailoutbox
    assert "Backup of exports failed" in mail.subject
    assert "of exports failed at step 'dump'" in mail.body
    assert message in mail.body


def test_a_compression_failure_is_the_compress_step(
    exports: Breaking, backup_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = compression.compressor

    class Failing:
        def __init__(self) -> None:
            self.inner = real("zstd")
            self.calls = 0

        def compress(self, data: bytes, /) -> bytes:
            self.calls += 1
            if self.calls == 2:
                raise MemoryError("zstd could not allocate its window")
            return self.inner.compress(data)

        def flush(self) -> bytes:
            return self.inner.flush()

    monkeypatch.setattr(compression, "compressor", lambda name: Failing())
    with pytest.raises(BackupError, match="zstd compression failed: MemoryError"):
        create_backup(get_target("exports"))
    _assert_failed_cleanly("compress", backup_dir)


def test_an_encryption_failure_is_the_encrypt_step(
    exports: Breaking, backup_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_frame(self: crypto.Sealer, chunk: memoryview, final: bool) -> tuple[bytes, bytes]:
        raise OverflowError("nonce counter exhausted")

    monkeypatch.setattr(crypto.Sealer, "_frame", failing_frame)
    with pytest.raises(BackupError, match="Encryption failed: OverflowError"):
        create_backup(get_target("exports"))
    _assert_failed_cleanly("encrypt", backup_dir)


def test_an_unknown_storage_alias_is_the_upload_step(exports: Breaking, backup_dir: Path) -> None:
    with override_settings(PRODREADY_BACKUP_STORAGE="nowhere"), pytest.raises(BackupError):
        create_backup(get_target("exports"))
    record = BackupRecord.objects.get(target="exports")
    assert record.failed_step == "upload"
    assert "'nowhere'" in record.error


def test_a_sound_source_still_succeeds(exports: Breaking) -> None:
    record = create_backup(get_target("exports"))
    assert record.status == "succeeded"
    assert record.failed_step == ""
    assert record.source_bytes == 3 * 1024 * 1024


def test_a_failed_restore_is_audited_and_notified(
    exports: Breaking,
    audit_events: list[Any],
    mailoutbox: list[Any],  # type: ignore[no-untyped-def]
) -> None:
    record = create_backup(get_target("exports"))
    audit_events.clear()  # the backup's own events
    with (
        override_settings(ADMINS=admins("ops@example.com")),
        pytest.raises(RestoreError, match="refused the files"),
    ):
        restore_backup(record.backup_id, confirm=lambda m: True, safety_backup=False)
    ((action, data),) = [(event.action, event.data) for event in audit_events]
    assert action == "backup.restore_failed"
    assert data["step"] == "restore"
    assert data["into"] == "exports"
    assert "refused the files" in str(data["error"])
    (mail,) = mailoutbox
    assert f"Restoring backup {record.backup_id} into exports failed" in mail.subject
    assert "at step 'restore'" in mail.body


def test_a_failed_safety_backup_is_the_restores_safety_backup_step(
    exports: Breaking, audit_events: list[Any]
) -> None:
    record = create_backup(get_target("exports"))
    exports.error = RuntimeError("export server said no")
    audit_events.clear()
    with pytest.raises(DumpError):
        restore_backup(record.backup_id, confirm=lambda m: True)
    # The safety backup is a run of its own, failed at its dump; the restore failed at
    # its safety backup, before anything was loaded.
    safety = BackupRecord.objects.exclude(pk=record.pk).get()
    assert (safety.status, safety.failed_step) == ("failed", "dump")
    restore_failed = [e.data for e in audit_events if e.action == "backup.restore_failed"]
    assert [data["step"] for data in restore_failed] == ["safety backup"]
