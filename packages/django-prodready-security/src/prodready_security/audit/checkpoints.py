"""Signed checkpoints of the chain, kept outside the database.

A checkpoint says "the sealed chain had event #N with hash H at time T", signed
with Ed25519 by a key the database never sees (``PRODREADY_AUDIT_CHECKPOINT_KEYS``,
from the environment), and links to the checkpoint before it by that one's hash,
so checkpoints form their own chain. Each is a small JSON file written to the
storage alias ``PRODREADY_AUDIT_CHECKPOINT_STORAGE``, which should be one the
database's users cannot rewrite (S3 with Object Lock, another host).

Because every event's hash covers the one before it, an event at a checkpoint
whose hash matches proves every event up to it is what was sealed then. So
whoever rewrites an old event and recomputes every later hash and the head (the
database owner can disable the trigger) contradicts every later checkpoint, and
``audit verify`` names the first one; removing the newest events is caught by the
newest checkpoint. What checkpoints do not prove: anything after the newest
checkpoint, and anything at all against someone who holds a signing key *and*
can rewrite the checkpoint storage (see docs/operations.md).

Keys are ``"<key id>:<base64 of the 32-byte Ed25519 private key>"``, newest first:
the first signs, each one's public key verifies. Retired keys stay verifiable
through ``PRODREADY_AUDIT_CHECKPOINT_PUBLIC_KEYS`` (``"<key id>:<base64 public
key>"``); verification needs only public keys (``manage.py audit verify --from
FILE --public-key ID:KEY`` runs on a machine with no access to the site).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.core.files.base import ContentFile
from django.core.files.storage import storages

import prodready
from prodready_security.audit.hashing import canonical_bytes
from prodready_security.audit.models import GENESIS_HASH, HEAD_ID, AuditChainHead, AuditEvent
from prodready_security.conf import conf

FORMAT = 1
DIRECTORY = "audit-checkpoints"


class InvalidKey(ValueError):
    """A key setting or argument that is not ``"<id>:<base64 key>"``."""


@dataclass(frozen=True)
class Checkpoint:
    sequence: int
    hash: str
    time: str
    previous: str
    key_id: str
    signature: str = ""

    def body(self) -> bytes:
        """What is signed: every field but the signature, canonical JSON."""
        fields = asdict(self)
        del fields["signature"]
        return canonical_bytes({"format": FORMAT, **fields})

    def digest(self) -> str:
        """What the next checkpoint links to."""
        return hashlib.sha256(self.body() + self.signature.encode()).hexdigest()

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, **asdict(self)}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> Checkpoint:
        fields = json.loads(text)
        fields.pop("format", None)
        return cls(**fields)

    @property
    def name(self) -> str:
        return f"{DIRECTORY}/{self.sequence:020d}.json"


def parse_key(value: str, private: bool) -> tuple[str, Ed25519PrivateKey | Ed25519PublicKey]:
    key_id, _, encoded = value.partition(":")
    try:
        raw = base64.b64decode(encoded, validate=True)
        key = (
            Ed25519PrivateKey.from_private_bytes(raw)
            if private
            else Ed25519PublicKey.from_public_bytes(raw)
        )
    except (binascii.Error, ValueError) as exc:
        kind = "private" if private else "public"
        raise InvalidKey(
            f"expected '<key id>:<base64 of a 32-byte Ed25519 {kind} key>', got a value "
            f"starting {value[:8]!r}"
        ) from exc
    if not key_id:
        raise InvalidKey("the key has no id before ':'")
    return key_id, key


def generate_key(key_id: str) -> tuple[str, str]:
    """A new ``(private, public)`` pair of setting values."""
    key = Ed25519PrivateKey.generate()
    raw_private = key.private_bytes_raw()
    raw_public = key.public_key().public_bytes_raw()
    return (
        f"{key_id}:{base64.b64encode(raw_private).decode()}",
        f"{key_id}:{base64.b64encode(raw_public).decode()}",
    )


def public_keys(extra: Iterable[str] = ()) -> dict[str, Ed25519PublicKey]:
    """Every public key the site knows: of its signing keys, retired ones, and ``extra``."""
    found: dict[str, Ed25519PublicKey] = {}
    for value in conf.AUDIT_CHECKPOINT_KEYS:
        key_id, key = parse_key(value, private=True)
        found[key_id] = key.public_key()  # type: ignore[union-attr]
    for value in [*conf.AUDIT_CHECKPOINT_PUBLIC_KEYS, *extra]:
        key_id, key = parse_key(value, private=False)
        found[key_id] = key  # type: ignore[assignment]
    return found


def stored() -> list[Checkpoint]:
    """Every checkpoint in the storage, oldest first."""
    storage = storages[conf.AUDIT_CHECKPOINT_STORAGE or "default"]
    try:
        _dirs, files = storage.listdir(DIRECTORY)
    except FileNotFoundError:
        return []
    found = []
    for name in sorted(f for f in files if f.endswith(".json")):
        with storage.open(f"{DIRECTORY}/{name}") as handle:
            found.append(Checkpoint.from_json(handle.read()))
    return found


def write(using: str, force: bool = False) -> Checkpoint | None:
    """Sign the sealed head and store it, when due (or ``force``); the checkpoint written."""
    if not conf.AUDIT_CHECKPOINT_STORAGE or not conf.AUDIT_CHECKPOINT_KEYS:
        return None
    head = AuditChainHead.objects.using(using).filter(pk=HEAD_ID).first()
    if head is None or head.sequence == 0:
        return None
    history = stored()
    previous = history[-1] if history else None
    if previous is not None and not force and not _due(previous, head.sequence):
        return None
    if previous is not None and previous.sequence == head.sequence:
        return None
    key_id, key = parse_key(conf.AUDIT_CHECKPOINT_KEYS[0], private=True)
    unsigned = Checkpoint(
        sequence=head.sequence,
        hash=head.hash,
        time=datetime.now(UTC).isoformat(timespec="seconds"),
        previous=previous.digest() if previous else GENESIS_HASH,
        key_id=key_id,
    )
    signature = key.sign(unsigned.body())  # type: ignore[union-attr]
    encoded = base64.b64encode(signature).decode()
    checkpoint = Checkpoint(**{**asdict(unsigned), "signature": encoded})
    storage = storages[conf.AUDIT_CHECKPOINT_STORAGE]
    storage.save(checkpoint.name, ContentFile(checkpoint.to_json().encode()))
    if conf.AUDIT_CHECKPOINT_NOTIFY:
        prodready.notify(
            f"Audit log checkpoint #{checkpoint.sequence}",
            "A signed checkpoint of the audit log. Keep it: `manage.py audit verify` and an "
            "export checked with `audit verify --from` prove the log up to this event "
            f"against it.\n\n{checkpoint.to_json()}",
            level="info",
            source="prodready_security",
        )
    return checkpoint


def _due(previous: Checkpoint, head_sequence: int) -> bool:
    if head_sequence - previous.sequence >= conf.AUDIT_CHECKPOINT_EVERY_EVENTS:
        return True
    age = datetime.now(UTC) - datetime.fromisoformat(previous.time)
    return head_sequence > previous.sequence and (
        age.total_seconds() >= conf.AUDIT_CHECKPOINT_EVERY_MINUTES * 60
    )


def contradiction(
    checkpoints: list[Checkpoint], keys: dict[str, Ed25519PublicKey], hashes: dict[int, str],
    anchor: int, last: int,
) -> str | None:  # fmt: skip
    """The first checkpoint that is forged or that ``hashes`` (sequence -> hash) contradicts."""
    previous = GENESIS_HASH
    for checkpoint in checkpoints:
        where = f"checkpoint #{checkpoint.sequence} ({checkpoint.name}, {checkpoint.time})"
        key = keys.get(checkpoint.key_id)
        if key is None:
            return f"{where} is signed with key {checkpoint.key_id!r}, which is not known"
        try:
            key.verify(base64.b64decode(checkpoint.signature), checkpoint.body())
        except (InvalidSignature, binascii.Error, ValueError):
            return f"{where} has a signature that key {checkpoint.key_id!r} did not make"
        if checkpoint.previous != previous:
            return f"{where} does not link to the one before it: one was removed or replaced"
        previous = checkpoint.digest()
        if checkpoint.sequence <= anchor:
            continue  # pruned since: nothing left to compare
        if checkpoint.sequence > last:
            return (
                f"the database contradicts {where}: it ends at event #{last}; "
                "events after it were removed"
            )
        if hashes.get(checkpoint.sequence) != checkpoint.hash:
            return (
                f"the database contradicts {where}: event #{checkpoint.sequence} does not have "
                "the signed hash; it or an event before it was changed and the hashes recomputed"
            )
    return None


def database_hashes(using: str, sequences: Iterable[int]) -> dict[int, str]:
    rows = AuditEvent.objects.using(using).filter(sequence__in=list(sequences))
    return {s or 0: str(h) for s, h in rows.values_list("sequence", "hash")}
