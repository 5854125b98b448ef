"""The sealer: links committed, unsealed events into the hash chain, in batches.

Writers on PostgreSQL only insert their events (``audit.chain.add``); nothing they
do touches a row or a lock that another writer needs. Sealing gives each committed
event its ``sequence``, ``prev_hash`` and ``hash``, and moves the head row. It runs:

- in each process's sealer thread (``audit.sealer_thread``), which a writer's
  commit wakes (``transaction.on_commit``) and which seals within ``DEBOUNCE``
  seconds, off the writer's thread: a save costs the writer its insert only;
- from the periodic task ``prodready_security.audit_seal`` (Celery beat), which
  picks up whatever a crashed process left;
- from ``manage.py audit seal`` and before ``audit prune``.

**One sealer at a time.** Each sealing transaction first takes the advisory lock
``LOCK_KEY`` with ``pg_try_advisory_xact_lock``: a sealer that finds it taken
returns at once, so nobody ever waits for it, and writers never ask for it. The
lock is transaction-level, so it is released with the sealing transaction's
commit (and is safe behind a transaction-pooling PgBouncer).

**Nothing is left behind.** The sealer that holds the lock looks for unsealed
events once more after it has committed (and released the lock), and seals again
if it finds any. A sealer thread whose try failed was woken after its writer
committed, so those events are visible to that final look of the sealer that held
the lock then (or of whichever sealer holds the lock next). A process seals what it
committed before it exits (``sealer_thread.stop`` at ``atexit``); the periodic task
is the net under a process that died between its commit and its seal.

**Order, and why it is sound.** An event is sealed only once its transaction has
committed: the sealer reads with its own statement snapshot (READ COMMITTED), which
shows committed rows only, and the new row's unique NULL columns never make a
writer wait. Every run takes the oldest unsealed events by insert id and appends
them after the head, so:

- no fork, no gap, no duplicate: sequence numbers are only ever handed out under
  the lock, each one above the head, and the head moves in the same transaction;
- an event whose transaction committed before another transaction began is
  sealed first (the later one's ids are higher, and it cannot be visible without
  the earlier one being visible too): the chain's order is the order in which
  changes could have been seen. Events of overlapping transactions are ordered by
  insert id within a run, or by the run that first saw them committed.

A watermark such as ``pg_snapshot_xmin(pg_current_snapshot())`` would give a total
order by transaction id, but it is cluster-wide: any long write transaction (a CSV
import, a migration, another application's batch job) would hold back the sealing
of every event after it, and the bound below would be broken by work that has
nothing to do with the log. Sealing in the order committed events become visible
needs no such wait.

**The bound.** ``PRODREADY_AUDIT_SEAL_MAX_DELAY`` seconds: an event still unsealed
after that is reported by ``manage.py audit verify`` and the ``audit:chain`` health
check, as it means sealing is not running.

Other databases (SQLite, MySQL/MariaDB) link events as they are inserted, under
the head row's lock (``audit.chain.append``): SQLite allows one writer at a time
anyway, and nothing there needs sealing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connections, transaction
from django.db.models import QuerySet
from django.utils import timezone

from prodready_security.audit.hashing import event_hash
from prodready_security.audit.models import HEAD_ID, AuditChainHead, AuditEvent

# ASCII "prodaudt": the advisory lock of the audit log's sealer.
LOCK_KEY = 0x70726F6461756474
BATCH = 500


def deferred(using: str) -> bool:
    """Whether events in ``using`` are inserted unsealed and sealed after commit."""
    return connections[using].vendor == "postgresql"


def seal_pending(using: str) -> int:
    """Seal until no committed event is left unsealed, unless another sealer holds the lock
    (``manage.py audit seal``, the periodic task). Returns how many this call sealed."""
    total = 0
    while True:
        count, more = seal_pass(using)
        total += count
        if not more:
            return total


def seal_pass(using: str) -> tuple[int, bool]:
    """Seal every event committed by now, unless another sealer holds the lock.

    Returns how many this pass sealed, and whether more were committed meanwhile. Then
    another pass is owed: sealers that found the lock taken rely on its holder to look
    again after it commits. The sealer thread makes that pass after its debounce, so
    steady commits are sealed in batches rather than one or two per pass.
    """
    total = 0
    while True:
        if not _worth_a_transaction(using):
            return total, False
        with transaction.atomic(using=using):
            if not _try_lock(using):
                return total, False  # that sealer looks again after it commits
            count = seal_batch(using)
        total += count
        if count < BATCH:
            return total, unsealed(using).exists()


def seal_batch(using: str) -> int:
    """Link the oldest ``BATCH`` unsealed events after the head; the caller holds the lock."""
    rows = list(unsealed(using).order_by("id")[:BATCH])
    if not rows:
        return 0
    head = AuditChainHead.objects.using(using).filter(pk=HEAD_ID).first()
    if head is None:
        head = AuditChainHead(pk=HEAD_ID)
    sealed_at = timezone.now()
    for row in rows:  # as read back, so the hash is what verify recomputes
        head.sequence += 1
        row.sequence, row.prev_hash, row.sealed_at = head.sequence, head.hash, sealed_at
        row.hash = event_hash(row)
        head.hash = row.hash
    _link(using, rows, sealed_at)
    head.save(using=using)
    return len(rows)


def _link(using: str, rows: list[AuditEvent], sealed_at: datetime) -> None:
    """Write every row's link. On PostgreSQL in one statement over arrays, which the
    server plans once for the batch: one UPDATE per row cost it about twice the CPU,
    and ``bulk_update``'s CASE expressions cost the client about nine times as much."""
    connection = connections[using]
    table, sealed = AuditEvent._meta.db_table, connection.ops.adapt_datetimefield_value(sealed_at)
    # These fields' columns are their names (no db_column).
    if connection.vendor == "postgresql":
        sql = (
            f'UPDATE "{table}" SET "sequence" = link.sequence, "prev_hash" = link.prev_hash, '
            '"hash" = link.hash, "sealed_at" = %s FROM unnest(%s::bigint[], %s::bigint[], '
            "%s::varchar[], %s::varchar[]) AS link(id, sequence, prev_hash, hash) "
            f'WHERE "{table}"."id" = link.id'
        )
        columns = ([r.pk for r in rows], [r.sequence for r in rows])
        hashes = ([r.prev_hash for r in rows], [r.hash for r in rows])
        with connection.cursor() as cursor:
            cursor.execute(sql, [sealed, *columns, *hashes])
        return
    quote = connection.ops.quote_name
    assignments = ", ".join(
        f"{quote(column)} = %s" for column in ("sequence", "prev_hash", "hash", "sealed_at")
    )
    sql = f"UPDATE {quote(table)} SET {assignments} WHERE {quote('id')} = %s"
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(r.sequence, r.prev_hash, r.hash, sealed, r.pk) for r in rows])


def lock(using: str) -> None:
    """Wait for the sealer's lock until the current transaction ends (prune only)."""
    if deferred(using):
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def unsealed(using: str) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.using(using).filter(sequence__isnull=True)


def overdue(using: str, max_delay: float) -> tuple[int, AuditEvent | None]:
    """How many events are unsealed longer than ``max_delay`` seconds, and the oldest."""
    late = unsealed(using).filter(occurred_at__lt=timezone.now() - timedelta(seconds=max_delay))
    oldest = late.order_by("id").first()
    return (late.count() if oldest is not None else 0), oldest


def _worth_a_transaction(using: str) -> bool:
    """Whether a sealing transaction could seal anything: the lock is free and an event
    waits. Asked in one statement in autocommit, where it is its own transaction (so
    the lock is released at once): a sealer thread that would lose the race, among many
    processes', is spared its BEGIN and COMMIT round trips. A holder that takes the lock
    in between is the one that looks again."""
    connection = connections[using]
    if not deferred(using) or connection.in_atomic_block:
        return True
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT pg_try_advisory_xact_lock(%s) AND EXISTS "
            f'(SELECT 1 FROM {table} WHERE "sequence" IS NULL)',
            [LOCK_KEY],
        )
        return bool(cursor.fetchone()[0])


def _try_lock(using: str) -> bool:
    if not deferred(using):
        return True  # the inline append keeps these databases sealed; nothing races
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        return bool(cursor.fetchone()[0])
