"""This process's sealer thread: a commit only wakes it, so writers never seal.

On PostgreSQL every commit that added audit events calls ``wake`` (through
``transaction.on_commit``), which costs the writer no query. One daemon thread per
process, started by the first wake (so after gunicorn or Celery fork their workers),
waits ``DEBOUNCE`` seconds for more commits to join in, then runs one
``sealing.seal_pass`` on its own connection for each database it was woken for.
Wakes that arrive while it seals, and events committed during its pass, make it run
once more after another ``DEBOUNCE``: many commits, few runs, each sealing a batch.

- Forks: a child has no thread of its own yet (``os.register_at_fork``); its first
  wake starts one. The parent's thread seals what the parent committed.
- Exit: ``stop`` runs at interpreter exit (``atexit``) and seals what this process
  committed, so a management command that saves and exits leaves nothing behind. A
  process that ends without ``atexit`` (killed, or ``os._exit`` as forked
  multiprocessing and Celery pool children do) leaves its last events to the next run
  of any sealer or to the periodic task ``prodready_security.audit_seal``; if sealing
  stops altogether, ``PRODREADY_AUDIT_SEAL_MAX_DELAY`` makes health and ``audit verify``
  say so.
- Connections: Django's are per thread, so the thread has its own; kept while commits
  keep coming, closed after ``LINGER`` idle seconds, after an error and on ``stop``.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import threading
import time

from prodready_security.audit import sealing

logger = logging.getLogger(__name__)

# Seconds a wake waits for more commits before sealing. Under steady commits a pass per
# 0.25 s seals batches of hundreds: one writer spent 6-11% less CPU per audited save
# (its own and the server's) than with passes every 0.05 s, far inside the seal bound.
DEBOUNCE = 0.25
LINGER = 1.0  # idle seconds before the thread closes its connections
STOP_TIMEOUT = 10.0  # at exit, how long to wait for the last run


class _Sealer:
    """The state one process shares between its writers and its sealer thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.pending: set[str] = set()  # databases with commits not yet sealed
        self.woken = 0  # wakes so far
        self.done = 0  # wakes that a finished run covered
        self.thread: threading.Thread | None = None
        self.stopping = False

    def due(self) -> bool:
        return bool(self.pending) or self.stopping

    def start(self) -> None:
        """Start the thread unless it runs; the caller holds ``lock``. Never raises: the
        writer's change is committed, and other sealers or audit_seal seal its events."""
        if self.thread is not None and self.thread.is_alive():
            return
        thread = threading.Thread(
            target=_run, args=(self,), name="prodready-audit-sealer", daemon=True
        )
        try:
            thread.start()
        except RuntimeError:  # at interpreter shutdown, or out of threads
            logger.warning("Could not start the audit sealer thread; audit_seal will seal")
            return
        self.thread = thread


_sealer = _Sealer()


def wake(using: str) -> None:
    """After a commit that added events to ``using``: have this process's thread seal them."""
    with _sealer.lock:
        _sealer.pending.add(using)
        _sealer.woken += 1
        _sealer.start()
        _sealer.changed.notify_all()


def flush(timeout: float | None = None) -> bool:
    """Wait until a run of the thread covered every wake so far; False on timeout.

    Afterwards this process holds no seal lock. What this process committed is sealed,
    unless another process's sealer held the lock, which then seals it (tests, and code
    that must see its events sealed).
    """
    with _sealer.lock:
        target = _sealer.woken
        return _sealer.changed.wait_for(lambda: _sealer.done >= target, timeout=timeout)


def stop(timeout: float = STOP_TIMEOUT) -> None:
    """Seal what is pending, end the thread and close its connections (exit, tests).

    A later wake starts a new thread.
    """
    sealer = _sealer
    with sealer.lock:
        thread = sealer.thread
        if thread is None:
            return
        sealer.stopping = True
        sealer.changed.notify_all()
    thread.join(timeout)
    if thread.is_alive():
        logger.warning("The audit sealer did not finish within %g s; audit_seal will", timeout)
        return
    with sealer.lock:
        sealer.thread, sealer.stopping = None, False
        if sealer.pending:  # woken after its last run
            sealer.start()


def _forked() -> None:
    global _sealer
    _sealer = _Sealer()  # the parent's thread and lock did not come along


os.register_at_fork(after_in_child=_forked)
atexit.register(stop)


def _run(sealer: _Sealer) -> None:
    try:
        while True:
            with sealer.lock:
                idle = not sealer.changed.wait_for(sealer.due, timeout=LINGER)
            if idle:
                _close_connections()
                with sealer.lock:
                    sealer.changed.wait_for(sealer.due)
            with sealer.lock:
                if sealer.stopping and not sealer.pending:
                    return
                stopping = sealer.stopping
            if not stopping:
                time.sleep(DEBOUNCE)
            with sealer.lock:
                databases, sealer.pending = sealer.pending, set()
                covered = sealer.woken
            owed = {using for using in sorted(databases) if _seal(using)}
            with sealer.lock:
                if not sealer.stopping:  # at exit, what this process committed is sealed
                    sealer.pending |= owed
                sealer.done = covered
                sealer.changed.notify_all()
    finally:
        _close_connections()


def _close_connections() -> None:
    from django.db import connections

    with contextlib.suppress(Exception):  # closing a broken connection may fail too
        connections.close_all()  # this thread's own: Django's connections are per thread


def _seal(using: str) -> bool:
    """One pass over ``using``; whether another is owed (events committed meanwhile)."""
    from django.db import connections

    try:
        return sealing.seal_pass(using)[1]
    except Exception:  # never let the thread die; the next wake or audit_seal retries
        logger.exception("Sealing audit events failed; the next commit or audit_seal retries")
        with contextlib.suppress(Exception):
            connections[using].close()  # a broken connection is replaced on the next run
        return False
