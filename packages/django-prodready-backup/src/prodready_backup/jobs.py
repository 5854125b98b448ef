"""The work behind the tasks and the schedule, as plain functions.

Each target is its own job, so one target's failure neither stops nor repeats the others.
A job requested from the site carries the requesting user's id (``actor_id``): the
user is recorded and audited as the actor, and the target's claim (see ``pending``)
is released when the job has run.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import get_user_model

from prodready_backup import pending
from prodready_backup.backups import create_backup, list_backups, targets_by_name
from prodready_backup.errors import BackupError
from prodready_backup.prune import prune
from prodready_backup.targets import get_target
from prodready_backup.verify import How, verify_backup

logger = logging.getLogger(__name__)


def target_names(target: str | None = None) -> list[str]:
    return [t.name for t in targets_by_name(target)]


def backup_target(target: str, reason: str = "scheduled", actor_id: str | None = None) -> str:
    try:
        return create_backup(get_target(target), reason=reason, actor=_user(actor_id)).backup_id
    finally:
        if actor_id is not None:
            pending.release("backup", target)


def verify_target(target: str, how: How = "restore", actor_id: str | None = None) -> bool:
    try:
        newest = list_backups(target)[:1]
        if not newest:
            raise BackupError(f"{target} has no complete backup to verify.")
        return verify_backup(newest[0], how=how, actor=_user(actor_id)).ok
    finally:
        if actor_id is not None:
            pending.release("verify", target)


def prune_all() -> dict[str, list[str]]:
    return {result.target: result.plan.delete for result in prune()}


def _user(actor_id: str | None) -> Any:
    """The user who asked, or None (a user deleted meanwhile is named in the reason)."""
    if actor_id is None:
        return None
    return get_user_model()._default_manager.filter(pk=actor_id).first()
