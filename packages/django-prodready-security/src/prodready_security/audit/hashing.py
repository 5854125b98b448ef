"""The canonical serialisation of an event and the hash that links it into the chain.

An event's hash is SHA-256 over UTF-8 JSON with sorted keys and no insignificant
whitespace, of every stored field that says what happened plus the previous
event's hash. Changing any of those fields, or the order of events, changes the
hash. ``FORMAT`` is part of what is hashed so that the serialisation can evolve.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prodready_security.audit.models import AuditEvent

FORMAT = 1


def canonical_bytes(payload: dict[str, Any]) -> bytes:
    """Sorted-key, compact JSON, encoded as UTF-8; the same dict always gives the same bytes."""
    text = json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


def event_payload(event: AuditEvent) -> dict[str, Any]:
    """What is hashed of ``event``: its content and its link, as read back from the database."""
    return {
        "format": FORMAT,
        "sequence": event.sequence,
        # Always UTC with microseconds, whatever the time zone of the connection.
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "action": event.action,
        "actor_id": None if event.actor_id is None else str(event.actor_id),
        "actor_snapshot": event.actor_snapshot,
        "target_content_type_id": event.target_content_type_id,
        "target_pk": event.target_pk,
        "target_repr": event.target_repr,
        "changes": event.changes,
        "data": event.data,
        "client_address": event.client_address,
        "user_agent": event.user_agent,
        "request_id": event.request_id,
        "prev_hash": event.prev_hash,
    }


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(canonical_bytes(event_payload(event))).hexdigest()
