"""The package's Celery tasks (found by Celery's ``autodiscover_tasks``) and ``dispatch()``.

With Celery installed and a broker configured, ``dispatch()`` queues the cleanup;
otherwise (the embedded default) it runs it in-process. ``audit_seal`` seals audit
events that no commit sealed (a process that died right after committing), then
writes a signed checkpoint when one is due.
"""

from __future__ import annotations

from typing import Any

from prodready.celery_dispatch import broker_configured
from prodready_security.sessions.cleanup import cleanup

CLEANUP = "prodready_security.cleanup"
AUDIT_SEAL = "prodready_security.audit_seal"

try:
    from celery import shared_task
except ImportError:  # pragma: no cover - Celery is optional
    shared_task = None

cleanup_task: Any = None
audit_seal_task: Any = None

if shared_task is not None:

    @shared_task(name=CLEANUP)  # type: ignore[untyped-decorator]
    def cleanup_task() -> dict[str, int]:
        return cleanup()

    @shared_task(name=AUDIT_SEAL)  # type: ignore[untyped-decorator]
    def audit_seal_task() -> int:
        from prodready_security.audit import checkpoints
        from prodready_security.audit.sealing import seal_pending
        from prodready_security.conf import conf

        count = seal_pending(conf.AUDIT_DATABASE)
        checkpoints.write(conf.AUDIT_DATABASE)  # when one is due
        return count


def dispatch() -> dict[str, int] | None:
    """Queue the cleanup when a broker is there; else run it now and return its counts."""
    if broker_configured():
        cleanup_task.delay()
        return None
    return cleanup()
