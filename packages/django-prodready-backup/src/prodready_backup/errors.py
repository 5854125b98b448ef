"""Errors a user can meet, each explained in one sentence."""

from __future__ import annotations

from dataclasses import dataclass


class BackupError(Exception):
    """Base of every error this package raises on purpose; the message is for operators.

    The step a failure happened in is not the error's to say: the stage it left says
    it (see ``steps``).
    """


class TransientBackupError(BackupError):
    """A failure worth retrying later (storage or database briefly unreachable, lock held)."""


class DatabaseUnreachable(TransientBackupError):
    """A database could not be connected to (down, unreachable, refusing connections)."""


class LockHeld(TransientBackupError):
    """Another run of the same target holds the lock."""


class IntegrityError(BackupError):
    """The stored object is not what was written: corrupt, truncated, foreign or wrongly keyed."""


class KeyMissing(IntegrityError):
    """The backup's key is not configured here: it cannot be read, nor judged, on this host."""


class RefusedError(BackupError):
    """A restore refused before touching anything (wrong engine, newer format, ...)."""


class DumpError(BackupError):
    """The source (pg_dump, the SQLite backup, the media listing) failed."""


class StepError(BackupError):
    """A step of the pipeline other than the dump failed (compression, encryption)."""


class RestoreError(BackupError):
    """Loading data into the database or storage failed; nothing was committed."""


class NotFound(BackupError):
    """An unknown target or backup id: bad input."""


class PlaintextRefused(RefusedError):
    """An unencrypted backup refused for restore on a site that has encryption keys."""


def describe(exc: BaseException) -> str:
    """What an operator is told of ``exc``: our own message, or the type and its message."""
    return str(exc) if isinstance(exc, BackupError) else f"{type(exc).__name__}: {exc}"


@dataclass(frozen=True)
class Problem:
    """A configuration the system checks report and the code refuses at run time, alike.

    Backups run from Celery workers and cron, where system checks do not run: what a
    check reports as ``id`` is refused there with the same message and hint.
    """

    id: str
    message: str
    hint: str

    def __str__(self) -> str:
        return f"{self.message} {self.hint}"
