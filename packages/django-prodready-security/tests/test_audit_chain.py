"""The hash chain: every event links to the one before; verify names the first broken link."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connections
from django.utils import timezone

import prodready
from prodready_security.audit import chain
from prodready_security.audit.hashing import canonical_bytes, event_hash
from prodready_security.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from prodready_security.audit.verify import verify_chain
from tests.audit_support import audit_db, events, on_both_databases, tamper

__all__ = ["audit_db"]


def test_canonical_bytes_sort_keys_and_encode_utf8() -> None:
    assert canonical_bytes({"b": 1, "a": "é"}) == '{"a":"é","b":1}'.encode()


@on_both_databases
def test_each_event_links_to_the_one_before(audit_db: str) -> None:
    for number in range(3):
        prodready.audit("test.linked", number=number)

    stored = events(audit_db)
    assert [event.sequence for event in stored] == [1, 2, 3]
    assert [event.prev_hash for event in stored] == [GENESIS_HASH, stored[0].hash, stored[1].hash]
    assert all(event_hash(event) == event.hash for event in stored)  # as read back
    head = AuditChainHead.objects.using(audit_db).get()
    assert (head.sequence, head.hash) == (3, stored[2].hash)
    assert verify_chain(audit_db).ok


@on_both_databases
@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("action", "test.innocent"),
        ("data", '{"number": 99}'),
        ("actor_snapshot", '{"username": "someone-else"}'),
        ("occurred_at", "2001-01-01 00:00:00+00:00"),
        ("prev_hash", "f" * 64),
    ],
)
def test_verify_names_the_tampered_event(audit_db: str, column: str, value: str) -> None:
    for number in range(4):
        prodready.audit("test.linked", number=number)
    target = events(audit_db)[2]

    tamper(audit_db, 3, **{column: value})

    result = verify_chain(audit_db)
    assert result.problem is not None
    assert (result.problem.sequence, result.problem.event_id) == (3, target.pk)
    assert result.checked == 2
    assert str(result.problem).startswith(f"event #3 (id {target.pk})")


@on_both_databases
def test_verify_finds_a_removed_event_in_the_middle(audit_db: str) -> None:
    for number in range(4):
        prodready.audit("test.linked", number=number)

    events(audit_db)  # sealed
    _delete_past_trigger(audit_db, 2)

    problem = verify_chain(audit_db).problem
    assert problem is not None
    assert problem.sequence == 3
    assert "events #2 to #2 are missing" in problem.reason


@on_both_databases
def test_verify_finds_events_removed_from_the_end(audit_db: str) -> None:
    for number in range(3):
        prodready.audit("test.linked", number=number)

    events(audit_db)  # sealed
    _delete_past_trigger(audit_db, 3)

    problem = verify_chain(audit_db).problem
    assert problem is not None
    assert "head records event #3" in problem.reason


@pytest.mark.django_db
def test_an_empty_log_verifies(audit_db: str) -> None:
    result = verify_chain(audit_db)
    assert (result.ok, result.checked, result.last_sequence) == (True, 0, None)


@pytest.mark.django_db
def test_a_missing_head_row_is_created_on_first_append(audit_db: str) -> None:
    AuditChainHead.objects.all().delete()
    chain.append([AuditEvent(action="test.first", occurred_at=timezone.now())], using=audit_db)
    assert AuditChainHead.objects.get().sequence == 1


def _delete_past_trigger(alias: str, sequence: int) -> None:
    with connections[alias].cursor() as cursor:
        if connections[alias].vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            f"DELETE FROM {AuditEvent._meta.db_table} WHERE sequence = %s",
            [sequence],
        )
        if connections[alias].vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


@on_both_databases
def test_values_that_jsonb_would_rewrite_still_verify_after_the_round_trip(audit_db: str) -> None:
    prodready.audit(
        "test.values",
        big=1e20,
        small=1.5e-7,
        whole=2.0,
        nul="a\x00b",
        when=timezone.now(),
        amount=Decimal("1.10"),
        nested={"z": 1, "a": [1, "é"]},
    )
    (event,) = events(audit_db)
    assert event.data["big"] == "1e+20"
    assert event.data["nul"] == "a\ufffdb"
    assert verify_chain(audit_db).ok
