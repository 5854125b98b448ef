"""Celery tasks for backup, verify and prune, and ``dispatch()`` for callers.

With Celery installed and a broker configured, ``dispatch()`` queues a task per target;
otherwise (the embedded default) it does the same work in-process. Transient failures
(storage or database briefly unreachable, the target's lock held) are retried with
exponential backoff; a bad backup is not, as retrying cannot fix it.
"""

from __future__ import annotations

import logging
from typing import Any

from prodready.celery_dispatch import broker_configured
from prodready_backup import jobs
from prodready_backup.errors import TransientBackupError

logger = logging.getLogger(__name__)

RETRY = {
    "autoretry_for": (TransientBackupError, ConnectionError),
    "retry_backoff": 30,  # 30 s, 60 s, 120 s, ... with jitter
    "retry_backoff_max": 3600,
    "retry_jitter": True,
    "max_retries": 6,
}

try:
    from celery import shared_task
except ImportError:  # pragma: no cover - Celery is the optional extra `celery`
    shared_task = None

TASKS: dict[str, Any] = {}

if shared_task is not None:

    @shared_task(name="prodready_backup.backup")  # type: ignore[untyped-decorator]
    def backup(
        target: str | None = None, reason: str = "scheduled", actor_id: str | None = None
    ) -> list[str]:
        """Fan out: one retried task per target."""
        names = jobs.target_names(target)
        for name in names:
            backup_target.delay(name, reason, actor_id)
        return names

    @shared_task(name="prodready_backup.backup_target", **RETRY)  # type: ignore[untyped-decorator]
    def backup_target(target: str, reason: str = "scheduled", actor_id: str | None = None) -> str:
        return jobs.backup_target(target, reason, actor_id)

    @shared_task(name="prodready_backup.verify")  # type: ignore[untyped-decorator]
    def verify(target: str | None = None, actor_id: str | None = None) -> list[str]:
        names = jobs.target_names(target)
        for name in names:
            verify_target.delay(name, actor_id)
        return names

    @shared_task(name="prodready_backup.verify_target", **RETRY)  # type: ignore[untyped-decorator]
    def verify_target(target: str, actor_id: str | None = None) -> bool:
        return jobs.verify_target(target, actor_id=actor_id)

    @shared_task(name="prodready_backup.prune", **RETRY)  # type: ignore[untyped-decorator]
    def prune() -> dict[str, list[str]]:
        return jobs.prune_all()

    TASKS.update(backup=backup, verify=verify, prune=prune)


def dispatch(
    job: str,
    target: str | None = None,
    *,
    reason: str = "manual",
    actor_id: str | None = None,
) -> None:
    """Run ``job`` ("backup", "verify" or "prune") through Celery, or in-process.

    ``reason`` labels a backup ("requested by alice"); ``actor_id`` is the primary key
    of the user who asked, recorded and audited as the actor.
    """
    if broker_configured():
        kwargs: dict[str, Any] = {}
        if job == "backup":
            kwargs = {"target": target, "reason": reason, "actor_id": actor_id}
        elif job == "verify":
            kwargs = {"target": target, "actor_id": actor_id}
        TASKS[job].delay(**kwargs)
        return
    if job == "prune":
        jobs.prune_all()
        return
    for name in jobs.target_names(target):
        try:
            if job == "backup":
                jobs.backup_target(name, reason=reason, actor_id=actor_id)
            else:
                jobs.verify_target(name, actor_id=actor_id)
        except Exception:
            # Already recorded and notified; the other targets still run.
            logger.exception("In-process %s of %s failed", job, name)
