"""Health check: the chain's head still matches the last event stored, and sealing runs.

Cheap (the head, the first and the last event, and the small queue of unsealed
events by a partial index), so it can run with every probe: it catches removed
events at either end (a ``TRUNCATE`` too, even once new events arrive) and sealing
that stopped; ``manage.py audit verify`` walks the whole chain. Not critical: a
tampered log needs people, not a restart.

Its queries go over core's probe connection, with the probe's connect and statement
timeouts, so a blackholed database costs the check's thread its timeout, not minutes.
"""

from __future__ import annotations

from django.db import DatabaseError

from prodready import HealthCheck, HealthCheckError
from prodready.health.probes import on_probe_connection_orm
from prodready_security.audit.hashing import event_hash
from prodready_security.audit.models import HEAD_ID, AuditChainHead, AuditEvent
from prodready_security.audit.sealing import overdue
from prodready_security.conf import conf

ADVICE = "run manage.py audit verify"


class AuditChainHeadCheck(HealthCheck):
    name = "audit:chain"
    critical = False

    def check(self) -> str | None:
        using = conf.AUDIT_DATABASE
        try:
            return on_probe_connection_orm(using, self.effective_timeout(), self._check_head)
        except DatabaseError as exc:
            raise HealthCheckError(
                f"the audit database {using!r} could not be read ({type(exc).__name__}); "
                "see the server log"
            ) from exc

    def _check_head(self) -> str:
        using = conf.AUDIT_DATABASE
        late, oldest = overdue(using, conf.AUDIT_SEAL_MAX_DELAY)
        if oldest is not None:
            raise HealthCheckError(
                f"{late} audit events are unsealed for more than "
                f"{conf.AUDIT_SEAL_MAX_DELAY:g} s (oldest: id {oldest.pk}); sealing is not "
                "running: check that Celery beat runs prodready_security.audit_seal, or run "
                "manage.py audit seal"
            )
        head = AuditChainHead.objects.using(using).filter(pk=HEAD_ID).first()
        events = AuditEvent.objects.using(using)
        if head is None:
            if events.filter(sequence__isnull=False).exists():
                raise HealthCheckError(f"audit events exist but the chain head is gone; {ADVICE}")
            return "no events yet"
        if head.sequence == head.anchor_sequence:
            return "no events since the chain's anchor"
        last = events.filter(sequence__lte=head.sequence).order_by("-sequence").first()
        if last is None or (last.sequence, last.hash) != (head.sequence, head.hash):
            raise HealthCheckError(
                f"the chain head records event #{head.sequence}, which is not the last "
                f"event stored; {ADVICE}"
            )
        if event_hash(last) != last.hash:
            raise HealthCheckError(
                f"event #{last.sequence} was changed after it was written; {ADVICE}"
            )
        # A TRUNCATE (or DELETE past the trigger) takes the first event with it.
        first = events.filter(sequence=head.anchor_sequence + 1).first()
        if first is None or first.prev_hash != head.anchor_hash:
            raise HealthCheckError(
                f"the chain's first event #{head.anchor_sequence + 1} is missing or does not "
                f"link to the chain's anchor: events were removed outside prune; {ADVICE}"
            )
        return f"head at event #{head.sequence}"
