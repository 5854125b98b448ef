"""Appending to the hash chain: one writer at a time, so the chain never forks.

Every append locks the single head row first and holds the lock until its
transaction ends. On PostgreSQL that is ``SELECT ... FOR UPDATE``; on SQLite,
which has no row locks, the first statement is a write to the head row, which
takes the database's write lock and makes other writers wait (up to the
connection's ``timeout``). With the lock held, the next sequence number and the
previous hash are read, the new rows hashed and inserted, and the head moved.

An append inside a transaction the caller opened (a tracked model's save) holds
the lock until that transaction commits, so the event exists exactly when the
change does; keep such transactions short.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, transaction
from django.db.models import F

from prodready_security.audit.hashing import event_hash
from prodready_security.audit.models import HEAD_ID, AuditChainHead, AuditEvent


def append(rows: Sequence[AuditEvent], using: str) -> None:
    """Link ``rows`` to the end of the chain, in order, and insert them."""
    if not rows:
        return
    with transaction.atomic(using=using):
        head = lock_head(using)
        for row in rows:
            head.sequence += 1
            row.sequence = head.sequence
            row.prev_hash = head.hash
            row.hash = event_hash(row)
            head.hash = row.hash
        AuditEvent.objects.using(using).bulk_create(rows)
        head.save(using=using, update_fields=["sequence", "hash"])


def lock_head(using: str) -> AuditChainHead:
    """The head row, locked until the current transaction ends; created when missing.

    Must be called inside ``transaction.atomic(using=using)``.
    """
    heads = AuditChainHead.objects.using(using)
    if not connections[using].features.has_select_for_update:
        # SQLite: a write first takes the database write lock before anything is read.
        heads.filter(pk=HEAD_ID).update(sequence=F("sequence"))
    head = heads.select_for_update().filter(pk=HEAD_ID).first()
    if head is None:
        # A new (or flushed) database. Concurrent creators: one inserts, the
        # others' insert waits for it and then does nothing; all then lock it.
        heads.bulk_create([AuditChainHead(pk=HEAD_ID)], ignore_conflicts=True)
        head = heads.select_for_update().get(pk=HEAD_ID)
    return head
