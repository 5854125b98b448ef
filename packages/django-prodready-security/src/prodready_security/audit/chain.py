"""Adding events to the log: inserted where writers wait for nobody, then chained.

``add`` is what the recorder calls. On PostgreSQL it inserts the events unsealed,
in the caller's transaction (so an event exists exactly when the change commits),
and once that transaction commits wakes the process's sealer thread, which links
them (``audit.sealer_thread``; ``audit.sealing`` explains the order and why it is
sound). No writer touches a shared row or lock, and none runs the sealer's queries.

On other databases ``append`` links the events as they are inserted: it locks the
single head row first and holds the lock until its transaction ends. On SQLite,
which has no row locks, the first statement is a write to the head row, which
takes the database's write lock (SQLite's one writer at a time) and makes other
writers wait up to the connection's ``timeout``. ``append`` is also how ``audit
prune`` records itself on PostgreSQL, holding the sealer's lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from django.db import connections, transaction
from django.db.models import F

from prodready_security.audit import sealer_thread, sealing
from prodready_security.audit.hashing import event_hash
from prodready_security.audit.models import HEAD_ID, AuditChainHead, AuditEvent


def add(rows: Sequence[AuditEvent], using: str) -> None:
    """Store ``rows`` in order; linked into the chain now, or by the sealer after commit."""
    if not rows:
        return
    if not sealing.deferred(using):
        append(rows, using)
        return
    if len(rows) == 1:
        # One INSERT statement: in autocommit, bulk_create's transaction would cost the
        # writer a BEGIN and a COMMIT round trip more.
        rows[0].save(using=using, force_insert=True)
    else:
        AuditEvent.objects.using(using).bulk_create(rows)
    transaction.on_commit(partial(sealer_thread.wake, using), using=using)


def append(rows: Sequence[AuditEvent], using: str) -> None:
    """Link ``rows`` to the end of the chain, in order, and insert them.

    On PostgreSQL only under the sealer's lock (``sealing.lock``).
    """
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
