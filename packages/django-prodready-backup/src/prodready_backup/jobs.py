"""The work behind the tasks and the schedule, as plain functions.

Each target is its own job, so one target's failure neither stops nor repeats the others.
"""

from __future__ import annotations

import logging

from prodready_backup.backups import create_backup, list_backups, targets_by_name
from prodready_backup.errors import BackupError
from prodready_backup.prune import prune
from prodready_backup.targets import get_target
from prodready_backup.verify import How, verify_backup

logger = logging.getLogger(__name__)


def target_names(target: str | None = None) -> list[str]:
    return [t.name for t in targets_by_name(target)]


def backup_target(target: str, reason: str = "scheduled") -> str:
    return create_backup(get_target(target), reason=reason).backup_id


def verify_target(target: str, how: How = "restore") -> bool:
    newest = list_backups(target)[:1]
    if not newest:
        raise BackupError(f"{target} has no complete backup to verify.")
    return verify_backup(newest[0], how=how).ok


def prune_all() -> dict[str, list[str]]:
    return {result.target: result.plan.delete for result in prune()}
