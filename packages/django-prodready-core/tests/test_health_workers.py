"""The threads health checks run in: kept for the next run, never waited for."""

from __future__ import annotations

import threading
import time

from prodready.health import workers


def run_and_wait() -> threading.Thread:
    """The thread a task ran in, once it finished."""
    ran: list[threading.Thread] = []
    done = threading.Event()

    def record() -> None:
        ran.append(threading.current_thread())
        done.set()

    workers.run(record, name="prodready-health")
    assert done.wait(5)
    return ran[0]


def wait_for_an_idle_worker() -> None:
    """A worker puts itself back as idle just after its task returned."""
    deadline = time.monotonic() + 5
    while not workers._idle:
        assert time.monotonic() < deadline, "no worker became idle"
        time.sleep(0.01)


def test_a_finished_thread_runs_the_next_task() -> None:
    run_and_wait()
    wait_for_an_idle_worker()
    kept = {thread for thread in threading.enumerate() if thread.name == "prodready-health"}
    assert run_and_wait() in kept


def test_a_task_that_hangs_does_not_hold_up_the_next() -> None:
    release, started = threading.Event(), threading.Event()
    hung: list[threading.Thread] = []

    def hang() -> None:
        hung.append(threading.current_thread())
        started.set()
        release.wait(10)

    workers.run(hang, name="prodready-health")
    try:
        assert started.wait(5)
        assert run_and_wait() is not hung[0]  # ran, and elsewhere, while the other still hangs
    finally:
        release.set()
