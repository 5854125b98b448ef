"""Pruning: apply the retention plan to each target's backups in storage."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.files.storage import Storage
from django.utils import timezone

import prodready
from prodready_backup import immutable, leftovers, storage
from prodready_backup.backups import list_backups, targets_by_name
from prodready_backup.leftovers import Leftover
from prodready_backup.lock import target_lock
from prodready_backup.manifest import BackupInfo
from prodready_backup.models import BackupRecord
from prodready_backup.retention import Candidate, Plan, Policy, plan


@dataclass
class PruneResult:
    target: str
    plan: Plan
    dry_run: bool
    #: The crashed runs' leftovers deleted (or, in a dry run, that would be).
    leftovers: list[Leftover] = field(default_factory=list)


def prune(target: str | None = None, *, dry_run: bool = False) -> list[PruneResult]:
    results = []
    policy = Policy.from_settings()
    names = [target] if target else [t.name for t in targets_by_name(None)]
    store = storage.backup_storage()
    for name in names:
        # Under the target's lock: never prune while a backup of it is being written.
        with target_lock(name):
            infos = {i.backup_id: i for i in list_backups(name)}
            candidates = [
                Candidate(i.backup_id, i.manifest.created, i.verified) for i in infos.values()
            ]
            decided = plan(candidates, policy, timezone.now())
            _keep_retained(store, decided, infos)
            if not dry_run:
                for backup_id in decided.delete:
                    storage.delete_backup(store, infos[backup_id].manifest)
                BackupRecord.objects.filter(backup_id__in=decided.delete).update(
                    pruned_at=timezone.now()
                )
                if decided.delete:
                    prodready.audit("backup.pruned", target=None, backups=decided.delete)
            removed = leftovers.remove(store, name, dry_run=dry_run)
        results.append(PruneResult(name, decided, dry_run, removed))
    return results


def _keep_retained(store: Storage, decided: Plan, infos: dict[str, BackupInfo]) -> None:
    """Move what the storage still retains (Object Lock) from delete to keep."""
    for backup_id in list(decided.delete):
        until = immutable.retained_until(store, infos[backup_id].manifest.object_name)
        if until is not None:
            decided.delete.remove(backup_id)
            decided.keep[backup_id] = [f"retained until {until:%Y-%m-%d %H:%M}"]
