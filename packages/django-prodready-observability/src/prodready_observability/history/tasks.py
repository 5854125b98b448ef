"""The periodic task ``prodready_observability.history``: write this worker's batch, roll
minutes up into hours and days, delete what is older than ``PRODREADY_ANALYTICS_KEEP_DAYS``.

Each web process also does this from its own background thread (pruning once an hour),
so the task is what keeps the tables tidy where ``PRODREADY_ANALYTICS_FLUSH_SECONDS = 0``.
"""

from __future__ import annotations

TASK = "prodready_observability.history"
CRON = "*/5 * * * *"

try:
    from celery import shared_task
except ImportError:  # pragma: no cover - Celery is the optional extra `celery`
    shared_task = None


def run() -> bool:
    from prodready_observability.history.maintenance import maintain

    return maintain(prune=True)


if shared_task is not None:
    history = shared_task(name=TASK, ignore_result=True)(run)
