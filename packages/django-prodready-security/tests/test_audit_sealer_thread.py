"""The sealer thread: a writer's commit only wakes it, and it seals within the bound.

On real PostgreSQL: a tracked save costs its writer one INSERT on the audit
database and nothing else, its event is sealed without the periodic task or a call
to seal, a forked child starts its own thread, and a process that saves and exits
at once leaves its events sealed.
"""

from __future__ import annotations

import multiprocessing
import time
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

import prodready
from prodready_security.audit import sealer_thread, sealing
from prodready_security.audit.models import AuditEvent
from prodready_security.audit.verify import verify_chain
from tests import audit_process_writer
from tests.audit_support import PG, audit_db, on_postgres_committed

__all__ = ["audit_db"]


def _sealed_actions() -> list[str]:
    rows = AuditEvent.objects.using(PG).filter(sequence__isnull=False).order_by("sequence")
    return list(rows.values_list("action", flat=True))


@on_postgres_committed[0]
@on_postgres_committed[1]
def test_a_tracked_save_costs_its_writer_one_insert_and_no_seal_query(audit_db: str) -> None:
    with override_settings(PRODREADY_AUDIT_TRACKED_MODELS=["auth.Group"]):
        group = Group.objects.create(name="before")  # content types now cached
        assert sealer_thread.flush(timeout=30)
        group.name = "after"
        with (
            CaptureQueriesContext(connections["default"]) as saved,
            CaptureQueriesContext(connections[PG]) as audited,
        ):
            group.save()
    # The update only: the diff is against what create() wrote (audit.snapshots).
    assert [query["sql"].split()[0] for query in saved.captured_queries] == ["UPDATE"]
    # The event, in one statement; no lock, no seal, no transaction of the sealer's.
    (insert,) = audited.captured_queries
    assert insert["sql"].startswith(f'INSERT INTO "{AuditEvent._meta.db_table}"')
    assert sealer_thread.flush(timeout=30)
    assert _sealed_actions() == ["model.created", "model.updated"]


@on_postgres_committed[0]
@on_postgres_committed[1]
def test_events_are_sealed_without_the_periodic_task_or_a_call_to_seal(audit_db: str) -> None:
    for number in range(5):
        prodready.audit("test.sealed_by_the_thread", number=number)
    deadline = time.monotonic() + 30  # a liveness bound, far above the thread's delay
    while sealing.unsealed(PG).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _sealed_actions() == ["test.sealed_by_the_thread"] * 5
    assert verify_chain(PG).ok


def _write_in_forked_child(outcome: Any) -> None:
    """In the child: write one event and report whether this process's thread sealed it."""
    try:
        prodready.audit("test.forked_child")
        thread = sealer_thread._sealer.thread
        running = thread is not None and thread.is_alive()
        outcome.put((running, sealer_thread.flush(timeout=10), _sealed_actions()))
    finally:
        sealer_thread.stop()  # a forked child ends with os._exit: no atexit
        connections.close_all()


@on_postgres_committed[0]
@on_postgres_committed[1]
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_forked_child_starts_its_own_sealer_thread(audit_db: str) -> None:
    prodready.audit("test.parent")
    assert sealer_thread.flush(timeout=30)  # the parent's thread runs
    connections.close_all()  # a child must not share the parent's connections
    context = multiprocessing.get_context("fork")
    outcome = context.Queue()
    child = context.Process(target=_write_in_forked_child, args=(outcome,))
    child.start()
    running, flushed, sealed = outcome.get(timeout=60)
    child.join(timeout=60)
    assert child.exitcode == 0
    assert running, "the child's wake did not start a thread of its own"
    assert flushed
    assert sealed == ["test.parent", "test.forked_child"]


@on_postgres_committed[0]
@on_postgres_committed[1]
def test_a_process_that_saves_and_exits_leaves_its_events_sealed(audit_db: str) -> None:
    test_database = connections[PG].settings_dict["NAME"]
    context = multiprocessing.get_context("spawn")
    process = context.Process(target=audit_process_writer.run, args=(test_database, 0, 3))
    process.start()
    process.join(timeout=120)
    assert process.exitcode == 0
    # Nothing here seals: the process's own exit did, before the interpreter ended.
    assert not sealing.unsealed(PG).exists()
    assert _sealed_actions() == ["test.concurrent"] * 3
    assert verify_chain(PG).ok


@on_postgres_committed[0]
@on_postgres_committed[1]
def test_steady_commits_are_sealed_in_batches_not_chased_one_by_one(
    audit_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    passes = []
    seal_batch = sealing.seal_batch

    def counted(using: str) -> int:
        passes.append(count := seal_batch(using))
        return count

    monkeypatch.setattr(sealing, "seal_batch", counted)
    began, events = time.monotonic(), 0
    while time.monotonic() - began < 0.6:  # a writer committing all the time
        prodready.audit("test.steady", number=events)
        events += 1
    elapsed = time.monotonic() - began
    assert sealer_thread.flush(timeout=30)
    # Each pass waits its debounce first, so however fast commits come, a pass seals
    # all that arrived meanwhile (before, the sealer chased them one or two at a time).
    bound = elapsed / sealer_thread.DEBOUNCE + 2
    assert events > 4 * bound, "the writer was too slow to tell batching from chasing"
    assert len([count for count in passes if count]) <= bound
    sealing.seal_pending(PG)
    assert _sealed_actions() == ["test.steady"] * events
    assert verify_chain(PG).ok
