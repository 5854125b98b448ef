"""On PostgreSQL the database itself keeps the log append-only, and writers never fork it."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connections, transaction
from django.utils import timezone

from prodready_security.audit.models import AuditEvent
from prodready_security.audit.prune import prune_before
from prodready_security.audit.verify import verify_chain
from tests import audit_process_writer
from tests.audit_support import (
    PG,
    audit_db,
    events,
    on_postgres,
    on_postgres_committed,
    write_events,
)

__all__ = ["audit_db"]

WRITERS = 4
EVENTS_PER_WRITER = 40


def _append_some(alias: str, count: int = 3) -> None:
    import prodready

    for number in range(count):
        prodready.audit("test.append_only", number=number)
    events(alias)  # sealed


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE prodready_security_auditevent SET action = 'test.rewritten'",
        "DELETE FROM prodready_security_auditevent",
    ],
)
@on_postgres[0]
@on_postgres[1]
def test_update_and_delete_are_refused_by_the_database(audit_db: str, statement: str) -> None:
    _append_some(audit_db)

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(using=PG),
        connections[PG].cursor() as cursor,
    ):
        cursor.execute(statement)

    assert [event.action for event in events(PG)] == ["test.append_only"] * 3


@on_postgres[0]
@on_postgres[1]
def test_orm_delete_is_refused_too(audit_db: str) -> None:
    _append_some(audit_db)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(using=PG):
        AuditEvent.objects.using(PG).filter(sequence=1).delete()


@on_postgres[0]
@on_postgres[1]
def test_prune_is_the_one_delete_allowed_and_only_inside_its_transaction(audit_db: str) -> None:
    _append_some(audit_db)

    result = prune_before(timezone.now() + timedelta(seconds=1), PG)

    assert result.count == 3
    assert [event.action for event in events(PG)] == ["audit.pruned"]
    assert verify_chain(PG).ok
    # The permission ended with prune's transaction (a savepoint here) and is gone now.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(using=PG):
        AuditEvent.objects.using(PG).all().delete()


@on_postgres_committed[0]
@on_postgres_committed[1]
def test_concurrent_threads_leave_one_linear_chain(audit_db: str) -> None:
    start = threading.Barrier(WRITERS)

    def writer(number: int) -> None:
        start.wait()
        write_events(number, EVENTS_PER_WRITER)

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    _assert_one_linear_chain(WRITERS * EVENTS_PER_WRITER)


@on_postgres_committed[0]
@on_postgres_committed[1]
def test_concurrent_processes_leave_one_linear_chain(audit_db: str) -> None:
    test_database = connections[PG].settings_dict["NAME"]
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(
            target=audit_process_writer.run, args=(test_database, number, EVENTS_PER_WRITER)
        )
        for number in range(WRITERS)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    assert [process.exitcode for process in processes] == [0] * WRITERS

    _assert_one_linear_chain(WRITERS * EVENTS_PER_WRITER)
    call_command("audit", "verify", database=PG)


def _assert_one_linear_chain(expected: int) -> None:
    stored = events(PG)
    assert len(stored) == expected  # no writer's event was lost
    assert [event.sequence for event in stored] == list(range(1, expected + 1))
    assert len({event.prev_hash for event in stored}) == expected  # no two share a parent
    assert {(event.data["writer"], event.data["number"]) for event in stored} == {
        (writer, number) for writer in range(WRITERS) for number in range(EVENTS_PER_WRITER)
    }
    assert verify_chain(PG).ok


@on_postgres[0]
@on_postgres[1]
def test_each_event_writes_only_the_indexes_a_query_uses() -> None:
    """An event's INSERT and its sealing UPDATE write every index of the table: the
    migrations leave none that no query uses (0009)."""
    table = AuditEvent._meta.db_table
    with connections[PG].cursor() as cursor:
        cursor.execute(
            "SELECT regexp_replace(indexdef, '^.* USING btree ', '') FROM pg_indexes "
            "WHERE tablename = %s",
            [table],
        )
        definitions = sorted(row[0] for row in cursor.fetchall())

    assert definitions == [
        "(action varchar_pattern_ops)",  # the audit page's "action starts with" filter
        "(action)",
        "(actor_id)",
        "(hash)",
        "(id)",
        "(id) WHERE (sequence IS NULL)",  # the sealer's queue
        "(occurred_at)",
        "(sequence)",
        "(target_content_type_id, target_pk)",
    ]
