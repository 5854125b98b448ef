"""What crashed runs leave in the backup storage, found and removed after a grace period.

A run killed while writing leaves a ``.<id>.backup.partial`` file (FileSystemStorage),
or an object whose manifest was never written (or was deleted): neither is a backup,
neither is listed, and both would stay forever. ``prune`` removes those older than
``PRODREADY_BACKUP_LEFTOVER_GRACE_SECONDS`` (while holding the target's lock, so no run
of it is writing); ``backup list --orphans`` shows them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.files.storage import Storage
from django.utils import timezone

from prodready_backup import storage
from prodready_backup.conf import conf

logger = logging.getLogger(__name__)

PARTIAL_SUFFIX = ".partial"


@dataclass(frozen=True)
class Leftover:
    name: str  # in the storage
    kind: str  # "partial" or "no manifest"
    modified: datetime | None
    size: int | None

    def older_than(self, moment: datetime) -> bool:
        # An age the storage cannot tell is old enough: it cannot be a run in progress
        # while the caller holds the target's lock.
        return self.modified is None or self.modified < moment


def find(store: Storage, target: str) -> list[Leftover]:
    """The leftovers in ``target``'s folder of the backup storage, by name."""
    try:
        _folders, files = store.listdir(target)
    except FileNotFoundError:
        return []
    present = set(files)
    found = []
    for filename in sorted(files):
        if filename.startswith(".") and filename.endswith(PARTIAL_SUFFIX):
            kind = "partial"
        elif filename.endswith(storage.OBJECT_SUFFIX) and not filename.startswith("."):
            manifest = filename.removesuffix(storage.OBJECT_SUFFIX) + storage.MANIFEST_SUFFIX
            if manifest in present:
                continue
            kind = "no manifest"
        else:
            continue
        name = f"{target}/{filename}"
        found.append(Leftover(name, kind, _modified(store, name), _size(store, name)))
    return found


def stale(store: Storage, target: str, now: datetime | None = None) -> list[Leftover]:
    """``target``'s leftovers older than the grace period."""
    cutoff = (now or timezone.now()) - timedelta(seconds=conf.BACKUP_LEFTOVER_GRACE_SECONDS)
    return [found for found in find(store, target) if found.older_than(cutoff)]


def remove(store: Storage, target: str, dry_run: bool = False) -> list[Leftover]:
    """Delete ``target``'s stale leftovers (none in a dry run); call holding its lock.

    Returns those deleted (in a dry run: those that would be).
    """
    removed = []
    for leftover in stale(store, target):
        if not dry_run:
            try:
                store.delete(leftover.name)
            except Exception:
                logger.warning("Could not delete the leftover %s", leftover.name, exc_info=True)
                continue
        removed.append(leftover)
    return removed


def _modified(store: Storage, name: str) -> datetime | None:
    try:
        return store.get_modified_time(name)
    except (NotImplementedError, OSError):
        return None


def _size(store: Storage, name: str) -> int | None:
    try:
        return store.size(name)
    except (NotImplementedError, OSError):
        return None
