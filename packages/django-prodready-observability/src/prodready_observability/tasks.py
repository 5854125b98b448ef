"""Celery: the request id follows a task, and every task run is logged and counted.

Connected in ``AppConfig.ready()`` when Celery is installed (the ``celery`` extra):

- ``before_task_publish`` puts the current request id in the message's headers;
- ``task_prerun`` makes it the worker's current request id (or, for a task nobody
  sent from a request, the task's own id), so the task's log records carry it;
- ``task_postrun`` logs the task's name, outcome, duration and retries on the
  ``prodready.tasks`` logger, counts them in ``prodready_celery_tasks_total`` and
  ``prodready_celery_task_duration_seconds`` (at most ``PRODREADY_METRICS_MAX_TASK_NAMES``
  task names, the others as ``<other>``) and for the dashboard's Celery card
  (``celery_insight.store``);
- ``task_failure`` keeps the latest error of each task name for that card, scrubbed;
- ``worker_process_shutdown`` writes the card's last counts before a worker child exits;
- ``setup_logging``, when ``LOGGING`` comes from ``configure_logging()``, keeps a
  worker's log lines on those scrubbing handlers (:func:`keep_logging`).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from prodready_observability import context

logger = logging.getLogger("prodready.tasks")

HEADER = "prodready_request_id"
USER_HEADER = "prodready_user_id"
_UID = "prodready_observability"
ERROR_CHARACTERS = 500
_OUTCOMES = {"SUCCESS": "success", "FAILURE": "failure", "RETRY": "retry"}

# task id -> (context token, start); a worker may run tasks in threads.
_running: dict[str, tuple[Any, float]] = {}


def connect_celery_signals() -> bool:
    """Connect the handlers; False when Celery is not installed."""
    try:
        from celery import signals
    except ImportError:
        return False
    signals.before_task_publish.connect(before_task_publish, weak=False, dispatch_uid=_UID)
    signals.task_prerun.connect(task_prerun, weak=False, dispatch_uid=_UID)
    signals.task_postrun.connect(task_postrun, weak=False, dispatch_uid=_UID)
    signals.task_failure.connect(task_failure, weak=False, dispatch_uid=_UID)
    signals.worker_process_shutdown.connect(flush_counts, weak=False, dispatch_uid=_UID)
    if logging_is_ours():
        signals.setup_logging.connect(keep_logging, weak=False, dispatch_uid=_UID)
    return True


def logging_is_ours() -> bool:
    """Whether ``LOGGING`` uses this package's formatters (``configure_logging()``)."""
    from django.conf import settings

    from prodready_observability.logging import FILTER_PATH

    config = getattr(settings, "LOGGING", None)
    formatters = config.get("formatters") if isinstance(config, dict) else None
    return isinstance(formatters, dict) and any(
        isinstance(formatter, dict) and str(formatter.get("()", "")).startswith(FILTER_PATH)
        for formatter in formatters.values()
    )


def keep_logging(**kwargs: Any) -> None:
    """Celery's ``setup_logging`` signal: keep the logging Django configured.

    Connected only when ``LOGGING`` comes from ``configure_logging()``. Without a
    receiver, a worker replaces the root logger's handlers with its own and gives its
    task loggers handlers that do not propagate, so task and failure lines (task
    arguments, exception text) would be written by Celery's formatter, unscrubbed.
    With one, Celery leaves logging alone, as its documentation describes.
    """


def before_task_publish(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    request_id = context.current_request_id()
    if headers is None or request_id is None:
        return
    headers.setdefault(HEADER, request_id)
    user_id = context.current_user_id()
    if user_id is not None:
        headers.setdefault(USER_HEADER, user_id)


def task_prerun(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    if task_id is None or task is None:
        return
    sent = getattr(task.request, HEADER, None)
    user_id = getattr(task.request, USER_HEADER, None)
    if context.is_well_formed(sent):
        request_id = sent
    else:  # run eagerly inside a request keeps the request's id; else the task's own
        request_id = context.current_request_id() or context.incoming_or_new(task_id)
        user_id = user_id or context.current_user_id()
    token = context.bind(request_id, None, user_id if isinstance(user_id, str) else None)
    _running[task_id] = (token, time.perf_counter())


def task_postrun(
    task_id: str | None = None, task: Any = None, state: str | None = None, **kwargs: Any
) -> None:
    entry = _running.pop(task_id, None) if task_id is not None else None
    if entry is None or task is None:
        return
    token, started = entry
    try:
        duration = time.perf_counter() - started
        outcome = _OUTCOMES.get(state or "", (state or "unknown").lower())
        retries = int(getattr(task.request, "retries", 0) or 0)
        _count(task.name, outcome, duration)
        level = logging.ERROR if outcome == "failure" else logging.INFO
        logger.log(
            level,
            "Task %s %s in %.1fms (retries: %d)",
            task.name,
            outcome,
            duration * 1000,
            retries,
            extra={
                "task": task.name,
                "task_id": task_id,
                "outcome": outcome,
                "duration_ms": round(duration * 1000, 3),
                "retries": retries,
            },
        )
    finally:
        context.unbind(token)


def task_failure(
    sender: Any = None, exception: BaseException | None = None, **kwargs: Any
) -> None:
    name = getattr(sender, "name", None)
    if not isinstance(name, str) or exception is None:
        return
    from prodready_observability.celery_insight import store
    from prodready_observability.scrub import scrub_text

    # Exception messages carry URLs, tokens and arguments: scrubbed before they are kept.
    text = f"{type(exception).__name__}: {scrub_text(str(exception))}"
    store.recorder.record_error(name, text[:ERROR_CHARACTERS])


def flush_counts(**kwargs: Any) -> None:
    from prodready_observability.celery_insight import store

    store.recorder.flush()


def _count(name: str, outcome: str, duration: float) -> None:
    from prodready_observability.celery_insight import store
    from prodready_observability.metrics.definitions import TASK_DURATION, TASKS

    store.recorder.record(name, outcome, duration)
    name = store.recorder.bounded_name(name)  # a scraper needs a bounded set of label values
    TASKS.labels(name, outcome).inc()
    TASK_DURATION.labels(name).observe(duration)


# The history's periodic task, registered with Celery where a worker looks for tasks.
from prodready_observability.history import tasks as history_tasks  # noqa: E402

__all__ = ["history_tasks"]
