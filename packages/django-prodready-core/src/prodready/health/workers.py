"""The threads health checks run in, kept between runs.

Starting a thread for each of a probe's checks cost it more than the checks' own work
(about 1 ms for six threads, against 3 ms for all six checks one after the other on
PostgreSQL and Redis). A thread that finished its check now waits for the next one, for
``IDLE_SECONDS``, and then ends. A thread stuck in a check that hangs is simply not idle:
the next run starts another, so a dead dependency still costs one thread per check, never
a wait for a free one.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

IDLE_SECONDS = 60.0


class _Worker:
    def __init__(self) -> None:
        self.ready = threading.Condition(_lock)
        self.task: Callable[[], None] | None = None

    def loop(self) -> None:
        task = self.take(wait=False)
        while task is not None:
            task()
            task = self.take(wait=True)

    def take(self, *, wait: bool) -> Callable[[], None] | None:
        """The next task; None once idle for ``IDLE_SECONDS`` (the thread then ends)."""
        with _lock:
            if wait:
                _idle.append(self)
                self.ready.wait_for(lambda: self.task is not None, timeout=IDLE_SECONDS)
                if self.task is None:  # nobody took this worker meanwhile: end
                    _idle.remove(self)
                    return None
            task, self.task = self.task, None
            return task


_lock = threading.Lock()
_idle: list[_Worker] = []


def run(task: Callable[[], None], name: str) -> None:
    """Run ``task`` in an idle kept thread, or in a new daemon thread named ``name``."""
    with _lock:
        if _idle:
            worker = _idle.pop()
            worker.task = task
            worker.ready.notify()
            return
    worker = _Worker()
    worker.task = task
    threading.Thread(target=worker.loop, name=name, daemon=True).start()


def _forked() -> None:
    global _lock
    _lock = threading.Lock()  # the parent's threads did not come along, nor its lock's state
    _idle.clear()


os.register_at_fork(after_in_child=_forked)
