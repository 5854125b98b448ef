"""The background thread that writes this process's history every
``PRODREADY_ANALYTICS_FLUSH_SECONDS``, rolls it up, and prunes once an hour.

Started by the first recorded request of each process (so after gunicorn forks its
workers, never in the arbiter). A daemon thread: what it has not yet written when the
process exits is lost, at most one interval's worth.
"""

from __future__ import annotations

import logging
import os
import threading
import time

logger = logging.getLogger(__name__)

PRUNE_EVERY = 3600.0
_started = False
_thread: threading.Thread | None = None
_stopping = threading.Event()


def ensure_started() -> None:
    global _started, _thread
    if _started:
        return
    _started = True
    from prodready_observability.conf import conf

    seconds = conf.ANALYTICS_FLUSH_SECONDS
    if seconds > 0:
        _stopping.clear()
        _thread = threading.Thread(
            target=_run, args=(seconds,), name="prodready-history-flush", daemon=True
        )
        _thread.start()


def stop() -> None:
    """Stop this process's thread after its current round (tests; a clean shutdown)."""
    global _started, _thread
    _stopping.set()
    if _thread is not None:
        _thread.join()
    _thread, _started = None, False


def _forked() -> None:
    global _started, _thread
    _thread, _started = None, False  # the parent's thread did not come along


os.register_at_fork(after_in_child=_forked)


def _run(seconds: float) -> None:
    from django.db import connections

    from prodready_observability.history.maintenance import maintain

    pruned_at = time.monotonic()
    while not _stopping.wait(seconds):
        prune = time.monotonic() - pruned_at >= PRUNE_EVERY
        try:
            # An idle process has nothing to roll up; the periodic task still does.
            maintain(prune=prune, only_if_new=True)
        except Exception:  # never let the thread die; maintain() already said what failed
            logger.exception("The request history's background flush failed")
        finally:
            connections.close_all()  # this thread's own connections
        if prune:
            pruned_at = time.monotonic()
