"""Removing old events, on record: the chain is re-anchored and the pruning is an event.

Only a prefix of the chain is removed (every event up to the first one at or
after the cut-off date), so what remains is still one unbroken chain starting at
the new anchor: the hash of the last event removed. The ``audit.pruned`` event
records that anchor, so the head's anchor can be checked against the log itself.

On PostgreSQL the append-only trigger refuses DELETE unless the transaction has
set ``prodready.audit_prune`` to ``on``; this module is the only code that does,
with ``set_config(..., true)`` so the setting ends with the transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connections, transaction

from prodready_security.audit import chain, recorder, sealing
from prodready_security.audit.models import AuditEvent
from prodready_security.audit.verify import Problem, verify_chain


class ChainBroken(Exception):
    """The chain does not verify; pruning would destroy the evidence."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True)
class Pruned:
    count: int
    first_sequence: int | None = None
    last_sequence: int | None = None
    anchor_hash: str | None = None


def prune_before(before: datetime, using: str, actor: Any = None, dry_run: bool = False) -> Pruned:
    """Remove the events that occurred before ``before``; record it unless ``dry_run``."""
    with transaction.atomic(using=using):
        sealing.lock(using)  # no sealer can run from here on (writers still can)
        while sealing.seal_batch(using):
            pass  # what has committed joins the chain first, so it is verified too
        head = chain.lock_head(using)  # no inline append can interleave from here on
        verification = verify_chain(using)
        if verification.problem is not None:
            raise ChainBroken(verification.problem)
        events = AuditEvent.objects.using(using).filter(sequence__isnull=False)
        first_kept = events.filter(occurred_at__gte=before).order_by("sequence").first()
        doomed = events.filter(sequence__gt=head.anchor_sequence)
        if first_kept is not None:
            doomed = doomed.filter(sequence__lt=first_kept.sequence)
        last = doomed.order_by("-sequence").first()
        if last is None:
            return Pruned(0)
        result = Pruned(
            count=doomed.count(),
            first_sequence=head.anchor_sequence + 1,
            last_sequence=last.sequence,
            anchor_hash=last.hash,
        )
        if dry_run:
            return result
        with _delete_allowed(using):
            doomed.delete()  # one DELETE: the log has no relations or delete receivers
        head.anchor_sequence, head.anchor_hash = result.last_sequence or 0, str(last.hash)
        head.save(using=using, update_fields=["anchor_sequence", "anchor_hash"])
        _record(result, before, actor, using)
    return result


@contextmanager
def _delete_allowed(using: str) -> Iterator[None]:
    """Let the trigger pass DELETEs for the block only.

    ``set_config(..., true)`` would last until the outermost transaction ends, which
    may be the caller's; so it is switched off again right after the DELETE.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('prodready.audit_prune', 'on', true)")
        try:
            yield
        finally:
            cursor.execute("SELECT set_config('prodready.audit_prune', 'off', true)")


def _record(result: Pruned, before: datetime, actor: Any, using: str) -> None:
    # Stored directly, not through prodready.audit: it must be in this transaction
    # and database whatever other plugins do with events.
    from prodready.events import AuditEvent as SentEvent

    event = SentEvent(
        action="audit.pruned",
        actor=actor,
        data={
            "before": before.isoformat(),
            "count": result.count,
            "first_sequence": result.first_sequence,
            "last_sequence": result.last_sequence,
            "anchor_sequence": result.last_sequence,
            "anchor_hash": result.anchor_hash,
        },
    )
    chain.append([recorder.build_row(event)], using=using)
