"""Audit events as log lines and a counter: observability's ``prodready_audit``.

The security package keeps the tamper-evident record; this makes the same events
searchable next to the request lines and countable by action in Prometheus.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from prodready_observability.metrics.definitions import AUDIT_EVENTS

if TYPE_CHECKING:
    from prodready.events import AuditEvent

logger = logging.getLogger("prodready.audit")


def log_event(event: AuditEvent) -> None:
    AUDIT_EVENTS.labels(event.action).inc()
    if not logger.isEnabledFor(logging.INFO):
        return
    logger.info(
        "%s by %s",
        event.action,
        _actor(event.actor),
        extra={
            "audit_action": event.action,
            "audit_target": _describe(event.target),
            "audit_changed": sorted(event.changes),  # the names only: values may be personal
        },
    )


def _actor(actor: object) -> str:
    if actor is None:
        return "system"
    get_username = getattr(actor, "get_username", None)
    return str(get_username() if callable(get_username) else actor)


def _describe(target: object) -> str | None:
    if target is None:
        return None
    pk = getattr(target, "pk", None)
    return type(target).__name__ if pk is None else f"{type(target).__name__}:{pk}"
