"""Walking the chain from its anchor to its head: the first broken link, if any.

Events not sealed yet are not part of the chain; ``sealing.overdue`` reports
those waiting longer than they should.
"""

from __future__ import annotations

from dataclasses import dataclass

from prodready_security.audit.hashing import event_hash
from prodready_security.audit.models import GENESIS_HASH, HEAD_ID, AuditChainHead, AuditEvent

BATCH = 2000


@dataclass(frozen=True)
class Problem:
    """The first place where the stored chain is not what was appended."""

    reason: str
    sequence: int | None = None
    event_id: int | None = None

    def __str__(self) -> str:
        where = (
            f"event #{self.sequence} (id {self.event_id})"
            if self.sequence is not None
            else "chain head"
        )
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class Verification:
    checked: int
    first_sequence: int | None
    last_sequence: int | None
    problem: Problem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_chain(using: str) -> Verification:
    """Recompute every hash in order of sequence; stop at the first mismatch."""
    head = AuditChainHead.objects.using(using).filter(pk=HEAD_ID).first()
    anchor_sequence = head.anchor_sequence if head else 0
    expected_prev = head.anchor_hash if head else GENESIS_HASH
    expected_sequence = anchor_sequence + 1
    checked, first = 0, None
    # Only up to the head as read: events appended meanwhile are for the next run.
    events = AuditEvent.objects.using(using).filter(sequence__isnull=False).order_by("sequence")
    if head is not None:
        events = events.filter(sequence__lte=head.sequence)
    for event in events.iterator(chunk_size=BATCH):
        problem = _link_problem(event, expected_sequence, expected_prev)
        if problem:
            return Verification(checked, first, expected_sequence - 1, problem)
        first = first or event.sequence
        checked += 1
        expected_sequence, expected_prev = expected_sequence + 1, str(event.hash)
    last = expected_sequence - 1
    head_sequence = head.sequence if head else 0
    head_hash = head.hash if head else GENESIS_HASH
    if (head_sequence, head_hash) != (last, expected_prev):
        problem = Problem(
            f"the head records event #{head_sequence} as the last, but the last event "
            f"stored is #{last}; events at the end were removed or the head was changed"
        )
        return Verification(checked, first, last, problem)
    if head is not None and head.anchor_sequence:
        problem = _anchor_problem(head, using)
        if problem:
            return Verification(checked, first, last, problem)
    return Verification(checked, first, last if checked else None, None)


def _anchor_problem(head: AuditChainHead, using: str) -> Problem | None:
    """A moved anchor must be the one the latest ``audit.pruned`` event recorded."""
    pruned = (
        AuditEvent.objects.using(using)
        .filter(action="audit.pruned", sequence__lte=head.sequence)
        .order_by("-sequence")
        .first()
    )
    recorded = (
        (pruned.data.get("anchor_sequence"), pruned.data.get("anchor_hash")) if pruned else None
    )
    if recorded != (head.anchor_sequence, head.anchor_hash):
        return Problem(
            f"the chain starts after event #{head.anchor_sequence}, but no audit.pruned "
            "event records that anchor; events at the start were removed outside prune"
        )
    return None


def _link_problem(event: AuditEvent, sequence: int, prev_hash: str) -> Problem | None:
    stored = event.sequence or 0  # sealed events only: the query leaves out the others

    def problem(reason: str) -> Problem:
        return Problem(reason, stored, event.pk)

    if stored < sequence:
        return problem(f"comes before the chain's anchor #{sequence - 1}")
    if stored > sequence:
        return problem(
            f"expected event #{sequence} next; events #{sequence} to #{stored - 1} are missing"
        )
    if event.prev_hash != prev_hash:
        return problem("does not link to the event before it (prev_hash differs)")
    if event_hash(event) != event.hash:
        return problem(
            f"its content does not match its hash ({event.action} at "
            f"{event.occurred_at:%Y-%m-%d %H:%M:%S}); the row was changed after it was written"
        )
    return None
