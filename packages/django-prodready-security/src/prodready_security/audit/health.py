"""Health check: the chain's head still matches the last event stored.

Cheap (two rows), so it can run with every probe; ``manage.py audit verify``
walks the whole chain. Not critical: a tampered log needs people, not a restart.
"""

from __future__ import annotations

from prodready import HealthCheck, HealthCheckError
from prodready_security.audit.hashing import event_hash
from prodready_security.audit.models import HEAD_ID, AuditChainHead, AuditEvent
from prodready_security.conf import conf

ADVICE = "run manage.py audit verify"


class AuditChainHeadCheck(HealthCheck):
    name = "audit:chain"
    critical = False

    def check(self) -> str | None:
        using = conf.AUDIT_DATABASE
        head = AuditChainHead.objects.using(using).filter(pk=HEAD_ID).first()
        events = AuditEvent.objects.using(using)
        if head is None:
            if events.exists():
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
        return f"head at event #{head.sequence}"
