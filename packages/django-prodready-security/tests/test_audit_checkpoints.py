"""Signed checkpoints outside the database: what someone with full database access cannot hide.

The adversary tests act as the database owner (the test role is a superuser): they
disable the append-only trigger, rewrite events and recompute every hash and the
head, so the chain itself verifies; only the checkpoints give them away.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.test import override_settings

import prodready
from prodready._ci import admins
from prodready_security.audit import checkpoints
from prodready_security.audit.hashing import event_hash
from prodready_security.audit.models import AuditChainHead, AuditEvent
from prodready_security.audit.verify import verify_chain
from tests.audit_support import PG, audit_db, events, on_both_databases, on_postgres

__all__ = ["audit_db"]

TABLE = AuditEvent._meta.db_table


@pytest.fixture
def public_key(tmp_path: Path) -> Iterator[str]:
    """Checkpoints on: a key pair and a file-system storage; the public key."""
    private, public = checkpoints.generate_key("2026-12")
    storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    with override_settings(
        STORAGES={
            "default": storage,
            "staticfiles": storage,
            "checkpoints": {**storage, "OPTIONS": {"location": str(tmp_path)}},
        },
        PRODREADY_AUDIT_CHECKPOINT_STORAGE="checkpoints",
        PRODREADY_AUDIT_CHECKPOINT_KEYS=[private],
    ):
        yield public


def append(count: int, alias: str) -> None:
    for number in range(count):
        prodready.audit("invoice.paid", amount=100 + number)
    events(alias)  # sealed


def verify(alias: str, *args: str) -> str:
    out = StringIO()
    call_command("audit", "verify", *args, database=alias, stdout=out)
    return out.getvalue()


def checkpoint(alias: str) -> str:
    out = StringIO()
    call_command("audit", "checkpoint", database=alias, stdout=out)
    return out.getvalue()


def as_owner(alias: str, *statements: tuple[str, list[object]]) -> None:
    """Run SQL with the append-only trigger disabled, as the table's owner can."""
    with connections[alias].cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER prodready_audit_append_only")
        for sql, params in statements:
            cursor.execute(sql, params)
        cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER prodready_audit_append_only")


def rewrite_and_rehash(alias: str, sequence: int, amount: int) -> None:
    """Change event #sequence, then recompute its hash, every later one and the head."""
    statements: list[tuple[str, list[object]]] = []
    previous = None
    for event in (
        AuditEvent.objects.using(alias).filter(sequence__gte=sequence).order_by("sequence")
    ):
        if event.sequence == sequence:
            event.data = {**event.data, "amount": amount}
        if previous is not None:
            event.prev_hash = previous
        event.hash = previous = event_hash(event)
        statements.append(
            (
                f"UPDATE {TABLE} SET data = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [json.dumps(event.data), event.prev_hash, event.hash, event.pk],
            )
        )
    statements.append(("UPDATE prodready_security_auditchainhead SET hash = %s", [previous]))
    as_owner(alias, *statements)


@on_both_databases
def test_checkpoints_are_written_and_agree(audit_db: str, public_key: str) -> None:
    append(3, audit_db)
    assert checkpoint(audit_db) == (
        f"Checkpoint #3 written to {checkpoints.DIRECTORY}/00000000000000000003.json.\n"
    )
    assert "none written" in checkpoint(audit_db)  # nothing new
    append(2, audit_db)
    checkpoint(audit_db)

    assert [c.sequence for c in checkpoints.stored()] == [3, 5]
    assert "5 events (#1 to #5) verified; 2 signed checkpoints agree." in verify(audit_db)


@on_both_databases
def test_each_checkpoint_can_also_be_sent_to_the_admins(
    audit_db: str, public_key: str, mailoutbox: list[Any]
) -> None:
    append(2, audit_db)
    checkpoint(audit_db)
    assert mailoutbox == []  # off by default
    append(1, audit_db)
    with override_settings(
        PRODREADY_AUDIT_CHECKPOINT_NOTIFY=True,
        PRODREADY_NOTIFY_MIN_LEVEL="info",
        ADMINS=admins("ops@x.test"),
    ):
        checkpoint(audit_db)
    [mail] = mailoutbox
    assert "Audit log checkpoint #3" in mail.subject
    sent = checkpoints.Checkpoint.from_json(mail.body.split("\n\n")[1])
    assert sent == checkpoints.stored()[-1]
    # The copy sent is as good as the stored one: its signature verifies (raises if not).
    key = checkpoints.parse_key(public_key, private=False)[1]
    key.verify(base64.b64decode(sent.signature), sent.body())  # type: ignore[union-attr]


@on_postgres[0]
@on_postgres[1]
def test_a_rewritten_event_with_recomputed_hashes_contradicts_the_checkpoint(
    audit_db: str, public_key: str
) -> None:
    append(3, PG)
    checkpoint(PG)
    append(3, PG)
    checkpoint(PG)

    rewrite_and_rehash(PG, 2, amount=1)

    assert verify_chain(PG).ok  # the chain alone cannot tell
    with pytest.raises(CommandError, match=r"contradicts checkpoint #3 \(.*\): event #3 does"):
        verify(PG)


@on_postgres[0]
@on_postgres[1]
def test_removing_the_newest_events_after_a_checkpoint_is_detected(
    audit_db: str, public_key: str
) -> None:
    append(5, PG)
    checkpoint(PG)
    third = AuditEvent.objects.using(PG).get(sequence=3)

    as_owner(
        PG,
        (f"DELETE FROM {TABLE} WHERE sequence > 3", []),
        ("UPDATE prodready_security_auditchainhead SET sequence = 3, hash = %s", [third.hash]),
    )

    assert verify_chain(PG).ok
    with pytest.raises(CommandError, match="it ends at event #3; events after it were removed"):
        verify(PG)


@on_postgres[0]
@on_postgres[1]
@pytest.mark.parametrize(
    ("key_id", "expected"),
    [
        ("2026-12", "has a signature that key '2026-12' did not make"),
        ("attacker", "is signed with key 'attacker', which is not known"),
    ],
)
def test_a_checkpoint_replaced_by_one_signed_with_another_key_is_detected(
    audit_db: str, public_key: str, tmp_path: Path, key_id: str, expected: str
) -> None:
    append(3, PG)
    checkpoint(PG)
    append(2, PG)
    checkpoint(PG)
    first, latest = checkpoints.stored()

    # Rewrite event #4, then replace checkpoint #5 with one of the rewritten chain,
    # correctly linked to checkpoint #3 but signed with a key of the attacker's own.
    rewrite_and_rehash(PG, 4, amount=1)
    head = AuditChainHead.objects.using(PG).get()
    forged = checkpoints.Checkpoint(head.sequence, head.hash, latest.time, first.digest(), key_id)
    _id, key = checkpoints.parse_key(checkpoints.generate_key(key_id)[0], private=True)
    signature = base64.b64encode(key.sign(forged.body())).decode()  # type: ignore[union-attr]
    forged = dataclasses.replace(forged, signature=signature)
    (tmp_path / latest.name).write_text(forged.to_json())

    with pytest.raises(CommandError, match=f"checkpoint #5 .*{expected}"):
        verify(PG)


@on_both_databases
def test_an_export_verifies_offline_with_only_the_public_key(
    audit_db: str, public_key: str, tmp_path: Path
) -> None:
    append(4, audit_db)
    checkpoint(audit_db)
    exported = tmp_path / "audit.jsonl"
    call_command("audit", "export", output=str(exported), database=audit_db, stdout=StringIO())

    with override_settings(
        PRODREADY_AUDIT_CHECKPOINT_KEYS=[], PRODREADY_AUDIT_CHECKPOINT_STORAGE=None
    ):
        out = verify(audit_db, "--from", str(exported), "--public-key", public_key)
    assert out == "Export intact: 4 events verified.\n"

    lines = exported.read_text().splitlines()
    lines[2] = lines[2].replace('"amount": 101', '"amount": 1')
    exported.write_text("\n".join(lines))
    with pytest.raises(CommandError, match="event #2: its content does not match its hash"):
        verify(audit_db, "--from", str(exported), "--public-key", public_key)

    exported.write_text("\n".join(lines[:2] + lines[3:]))  # or drop it
    with pytest.raises(CommandError, match="expected event #2"):
        verify(audit_db, "--from", str(exported), "--public-key", public_key)


@on_both_databases
def test_an_export_with_checkpoints_of_another_key_does_not_verify(
    audit_db: str, public_key: str, tmp_path: Path
) -> None:
    append(2, audit_db)
    checkpoint(audit_db)
    exported = tmp_path / "audit.jsonl"
    call_command("audit", "export", output=str(exported), database=audit_db, stdout=StringIO())
    _private, stranger = checkpoints.generate_key("2026-12")
    with pytest.raises(CommandError, match="has a signature that key '2026-12' did not make"):
        verify(audit_db, "--from", str(exported), "--public-key", stranger)


@on_both_databases
def test_the_export_needs_a_public_key_and_a_valid_one(audit_db: str, tmp_path: Path) -> None:
    exported = tmp_path / "audit.jsonl"
    exported.write_text("")
    with pytest.raises(CommandError, match="--from needs --public-key"):
        verify(audit_db, "--from", str(exported))
    with pytest.raises(CommandError, match="A checkpoint key is not valid: expected"):
        verify(audit_db, "--from", str(exported), "--public-key", "2026-12:not-base64")


@on_both_databases
def test_checkpoints_are_written_when_due(audit_db: str, public_key: str) -> None:
    with override_settings(PRODREADY_AUDIT_CHECKPOINT_EVERY_EVENTS=3):
        append(1, audit_db)
        assert checkpoints.write(audit_db) is not None  # the first one
        append(2, audit_db)
        assert checkpoints.write(audit_db) is None  # 2 since: not due
        append(1, audit_db)
        written = checkpoints.write(audit_db)
    assert written is not None
    assert written.sequence == 4


@on_both_databases
def test_checkpoint_command_says_how_to_turn_them_on(audit_db: str) -> None:
    with pytest.raises(CommandError, match="PRODREADY_AUDIT_CHECKPOINT_STORAGE"):
        checkpoint(audit_db)


@on_both_databases
def test_the_seal_task_seals_and_writes_a_due_checkpoint(audit_db: str, public_key: str) -> None:
    from prodready_security import tasks

    prodready.audit("invoice.paid", amount=1)  # on PostgreSQL unsealed: nothing commits here
    with override_settings(PRODREADY_AUDIT_CHECKPOINT_EVERY_EVENTS=1):
        sealed = tasks.audit_seal_task()
    assert sealed == (1 if audit_db == PG else 0)  # SQLite seals as it inserts
    assert [c.sequence for c in checkpoints.stored()] == [1]


def test_sending_checkpoints_needs_info_notifications() -> None:
    from prodready_security.audit.checks import check_checkpoints

    def ids() -> list[str]:
        return [message.id for message in check_checkpoints() if message.id]

    with override_settings(PRODREADY_AUDIT_CHECKPOINT_NOTIFY=True):
        assert ids() == ["prodready_security.W046"]
        with override_settings(PRODREADY_NOTIFY_MIN_LEVEL="info"):
            assert ids() == []
    assert ids() == []
