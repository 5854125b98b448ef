"""The log as JSON lines, verifiable on a machine with no access to the site.

``audit export`` writes the chain's anchor, every sealed event exactly as it is
hashed (plus its hash) and every checkpoint from the checkpoint storage;
``audit verify --from FILE --public-key ID:KEY`` recomputes each hash and link
and checks each checkpoint's signature and hash, with nothing but the file and
the public keys.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from prodready_security.audit import checkpoints
from prodready_security.audit.hashing import canonical_bytes, event_payload
from prodready_security.audit.models import GENESIS_HASH, HEAD_ID, AuditChainHead, AuditEvent


def export_lines(using: str) -> Iterator[str]:
    head = AuditChainHead.objects.using(using).filter(pk=HEAD_ID).first()
    anchor = (head.anchor_sequence, head.anchor_hash) if head else (0, GENESIS_HASH)
    yield json.dumps({"type": "anchor", "sequence": anchor[0], "hash": anchor[1]})
    events = AuditEvent.objects.using(using).filter(sequence__isnull=False).order_by("sequence")
    if head is not None:
        events = events.filter(sequence__lte=head.sequence)
    for event in events.iterator(chunk_size=2000):
        line = {"type": "event", **event_payload(event), "hash": event.hash}
        yield json.dumps(line, ensure_ascii=False, sort_keys=True)
    for checkpoint in checkpoints.stored():
        yield json.dumps({"type": "checkpoint", **asdict(checkpoint)}, sort_keys=True)


def verify_lines(
    lines: Iterable[str], keys: dict[str, Ed25519PublicKey]
) -> tuple[int, str | None]:
    """How many events verified, and the first problem (None: all intact)."""
    anchor, expected_prev, checked = 0, GENESIS_HASH, 0
    hashes: dict[int, str] = {}
    found: list[checkpoints.Checkpoint] = []
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            line: dict[str, Any] = json.loads(text)
            kind = line.pop("type")
        except (ValueError, KeyError, AttributeError):
            return checked, f"line {number} is not an exported audit record"
        if kind == "anchor":
            anchor, expected_prev = int(line["sequence"]), str(line["hash"])
        elif kind == "checkpoint":
            found.append(checkpoints.Checkpoint(**line))
        else:
            stored_hash = line.pop("hash")
            sequence = anchor + checked + 1
            if line.get("sequence") != sequence:
                return checked, f"line {number}: expected event #{sequence}, found another"
            if line.get("prev_hash") != expected_prev:
                return checked, f"event #{sequence} does not link to the event before it"
            if hashlib.sha256(canonical_bytes(line)).hexdigest() != stored_hash:
                return checked, f"event #{sequence}: its content does not match its hash"
            hashes[sequence], expected_prev = stored_hash, stored_hash
            checked += 1
    problem = checkpoints.contradiction(found, keys, hashes, anchor, anchor + checked)
    return checked, problem
