"""Writers insert unsealed events and never wait for each other; the sealer links them.

On real PostgreSQL: an open transaction holding an audited change blocks no other
writer, the sealer's lock blocks no writer, and concurrent writers that roll back
leave one chain with no fork, gap or duplicate, in each writer's commit order.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connections, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import prodready
from prodready import hooks
from prodready.health.base import HealthCheckError
from prodready_security.audit import chain, sealer_thread, sealing
from prodready_security.audit.health import AuditChainHeadCheck
from prodready_security.audit.models import AuditEvent
from prodready_security.audit.verify import verify_chain
from tests import audit_process_writer
from tests.audit_support import (
    PG,
    audit_db,
    events,
    on_both_databases,
    on_postgres,
    on_postgres_committed,
    rolled_back,
    write_events,
)

__all__ = ["audit_db"]

WRITERS = 4
EVENTS_PER_WRITER = 30


def _stored(alias: str = PG) -> list[tuple[int | None, str]]:
    """What is stored, as (sequence, action), without sealing anything."""
    rows = AuditEvent.objects.using(alias).order_by("id").values_list("sequence", "action")
    return list(rows)


def _in_thread(target: object) -> threading.Thread:
    def run() -> None:
        try:
            target()  # type: ignore[operator]
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@contextmanager
def _another_sealer_holds_the_lock() -> Iterator[None]:
    """Another connection holds the sealer's lock until the block ends."""
    locked, release = threading.Event(), threading.Event()

    def busy_sealer() -> None:
        with transaction.atomic(using=PG), connections[PG].cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [sealing.LOCK_KEY])
            locked.set()
            release.wait(timeout=30)

    sealer = _in_thread(busy_sealer)
    try:
        assert locked.wait(timeout=10)
        yield
    finally:
        release.set()
        sealer.join(timeout=10)


@on_postgres_committed[0]
@on_postgres_committed[1]
def test_an_open_transaction_blocks_no_other_writer(audit_db: str) -> None:
    inserted, release = threading.Event(), threading.Event()

    def slow_writer() -> None:
        with transaction.atomic(using=PG):
            prodready.audit("test.slow")
            inserted.set()
            release.wait(timeout=30)

    slow = _in_thread(slow_writer)
    try:
        assert inserted.wait(timeout=10)
        others = _in_thread(lambda: write_events(1, 3))
        others.join(timeout=10)
        assert not others.is_alive(), "a writer waited for another writer's transaction"
        # Committed and sealed while the slow transaction is still open.
        assert sealer_thread.flush(timeout=30)
        assert _stored() == [(sequence, "test.concurrent") for sequence in (1, 2, 3)]
    finally:
        release.set()
        slow.join(timeout=10)
    # Inserted first, sealed right after its own commit: after the events committed before.
    assert sealer_thread.flush(timeout=30)
    assert _stored()[0] == (4, "test.slow")
    assert verify_chain(PG).ok


@on_postgres_committed[0]
@on_postgres_committed[1]
def test_writers_do_not_wait_for_the_sealer_and_a_later_seal_picks_them_up(audit_db: str) -> None:
    with _another_sealer_holds_the_lock():
        writer = _in_thread(lambda: write_events(0, 3))
        writer.join(timeout=10)
        assert not writer.is_alive(), "a writer waited for the sealer's lock"
        assert sealer_thread.flush(timeout=30)  # the sealer thread tried, and gave up
        assert _stored() == [(None, "test.concurrent")] * 3  # its try failed: left for later
        assert sealing.seal_pending(PG) == 0  # not while another sealer holds the lock
    assert sealing.seal_pending(PG) == 3
    assert [sequence for sequence, _action in _stored()] == [1, 2, 3]
    assert verify_chain(PG).ok


@on_postgres_committed[0]
@on_postgres_committed[1]
def test_a_sealer_that_would_lose_the_race_opens_no_transaction(
    audit_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert sealer_thread.flush(timeout=30)
    chain.add([AuditEvent(occurred_at=timezone.now(), action="test.waiting")], using=PG)
    connection, began = connections[PG], []
    set_autocommit = connection.set_autocommit

    def spied(autocommit: bool, **kwargs: bool) -> None:
        began.extend([] if autocommit else [True])
        set_autocommit(autocommit, **kwargs)

    with _another_sealer_holds_the_lock():
        monkeypatch.setattr(connection, "set_autocommit", spied)
        # One statement asked it: a BEGIN and a COMMIT round trip saved on each try.
        assert sealing.seal_pass(PG) == (0, False)
        assert began == []
    assert sealing.seal_pass(PG) == (1, False)
    assert began == [True]


@on_postgres[0]
@on_postgres[1]
def test_a_batch_is_linked_with_one_statement_however_many_events(audit_db: str) -> None:
    for number in range(5):
        prodready.audit("test.batch", number=number)
    with CaptureQueriesContext(connections[PG]) as captured:
        assert sealing.seal_pending(PG) == 5
    table = f'"{AuditEvent._meta.db_table}"'
    writes = [q["sql"] for q in captured.captured_queries if table in q["sql"]]
    # executemany would be recorded as "5 times: UPDATE ..."
    assert [sql.split()[0] for sql in writes if not sql.startswith("SELECT")] == ["UPDATE"]
    assert [sequence for sequence, _action in _stored()] == [1, 2, 3, 4, 5]
    assert verify_chain(PG).ok


@on_postgres_committed[0]
@on_postgres_committed[1]
def test_concurrent_writers_with_rollbacks_leave_one_chain_in_commit_order(audit_db: str) -> None:
    test_database = connections[PG].settings_dict["NAME"]
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(
            target=audit_process_writer.run_with_rollbacks,
            args=(test_database, writer, EVENTS_PER_WRITER),
        )
        for writer in range(WRITERS)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    assert [process.exitcode for process in processes] == [0] * WRITERS

    # Whatever one writer's last commit left for a sealer that was busy is sealed by
    # that sealer's final look; nothing waits for the periodic task.
    assert not sealing.unsealed(PG).exists()
    stored = list(AuditEvent.objects.using(PG).order_by("sequence"))
    committed = {
        (writer, number)
        for writer in range(WRITERS)
        for number in range(EVENTS_PER_WRITER)
        if not rolled_back(number)
    }
    assert [event.sequence for event in stored] == list(range(1, len(committed) + 1))  # no gap
    assert {(e.data["writer"], e.data["number"]) for e in stored} == committed  # none lost
    assert len({event.prev_hash for event in stored}) == len(stored)  # no fork
    for writer in range(WRITERS):  # one writer's commits follow each other: so do the events
        numbers = [e.data["number"] for e in stored if e.data["writer"] == writer]
        assert numbers == sorted(numbers)
    assert verify_chain(PG).ok
    call_command("audit", "verify", database=PG, stdout=StringIO())


@on_postgres[0]
@on_postgres[1]
def test_the_trigger_lets_the_sealer_link_an_event_but_not_change_it(audit_db: str) -> None:
    AuditEvent.objects.using(PG).create(action="test.unsealed", occurred_at=timezone.now())
    table = AuditEvent._meta.db_table
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(using=PG),
        connections[PG].cursor() as cursor,
    ):
        cursor.execute(
            f"UPDATE {table} SET action = 'test.rewritten', sequence = 1, prev_hash = 'a', "
            "hash = 'b', sealed_at = now()"
        )
    (event,) = events(PG)  # the sealer's own update goes through
    assert (event.sequence, event.action) == (1, "test.unsealed")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(using=PG),
        connections[PG].cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {table} SET sequence = NULL, prev_hash = NULL, hash = NULL")


@on_postgres[0]
@on_postgres[1]
def test_events_chained_before_sealing_existed_and_sealed_ones_verify_together(
    audit_db: str,
) -> None:
    with transaction.atomic(using=PG):
        sealing.lock(PG)
        chain.append([AuditEvent(action="test.inline", occurred_at=timezone.now())], PG)
    prodready.audit("test.sealed")
    assert [(e.sequence, e.action) for e in events(PG)] == [(1, "test.inline"), (2, "test.sealed")]
    assert verify_chain(PG).ok


@on_both_databases
def test_events_left_unsealed_are_reported_until_sealed(audit_db: str) -> None:
    stranded = timezone.now() - timedelta(hours=1)
    AuditEvent.objects.using(audit_db).create(action="test.stranded", occurred_at=stranded)
    AuditEvent.objects.using(audit_db).create(action="test.fresh", occurred_at=timezone.now())

    message = "1 audit events are unsealed for more than 300 s"
    with pytest.raises(HealthCheckError, match=message):
        AuditChainHeadCheck().check()
    with pytest.raises(CommandError, match=r"sealing is not running.*audit seal"):
        call_command("audit", "verify", stdout=StringIO())

    out = StringIO()
    call_command("audit", "seal", stdout=out)
    assert out.getvalue() == "Sealed 2 audit events.\n"
    assert AuditChainHeadCheck().check() == "head at event #2"


@on_both_databases
def test_a_fresh_unsealed_event_is_not_a_problem(audit_db: str) -> None:
    AuditEvent.objects.using(audit_db).create(action="test.fresh", occurred_at=timezone.now())
    assert AuditChainHeadCheck().check() == "no events yet"


@on_both_databases
def test_health_finds_a_truncated_log_even_after_new_events(audit_db: str) -> None:
    for number in range(3):
        prodready.audit("test.linked", number=number)
    events(audit_db)
    with connections[audit_db].cursor() as cursor:
        if connections[audit_db].vendor == "postgresql":
            cursor.execute(f"TRUNCATE {AuditEvent._meta.db_table}")
        else:
            cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table}")
    prodready.audit("test.after")
    events(audit_db)

    with pytest.raises(HealthCheckError, match="first event #1 is missing"):
        AuditChainHeadCheck().check()


@pytest.mark.parametrize(
    ("schedule", "listed"), [("* * * * *", True), ("*/5 * * * *", True), ("", False)]
)
def test_the_seal_task_is_scheduled_unless_turned_off(schedule: str, listed: bool) -> None:
    with override_settings(PRODREADY_AUDIT_SEAL_SCHEDULE=schedule):
        tasks = {task.name: task.cron for task in hooks.periodic_tasks()}
    assert ("prodready_security.audit_seal" in tasks) is listed
    if listed:
        assert tasks["prodready_security.audit_seal"] == schedule
