"""The object format: a header, then framed chunks, each sealed with AES-256-GCM.

Layout (all integers big-endian)::

    header  = MAGIC | version u8 | compression u8 | encrypted u8 | key-id length u8 | key id
              | salt (16 bytes)
    frame   = payload length u32 | final flag u8 | payload

Each backup gets its own AES key, derived with HKDF from the configured key and the
random salt, so nonces never repeat across backups made with the same key. The nonce of
chunk *i* is *i* (11 bytes) followed by the final flag (1 byte): reordering, dropping or
duplicating a chunk changes its nonce and fails authentication, and a stream that ends
without an authenticated final chunk is truncated (the STREAM construction). The header
is the associated data of every chunk, so it cannot be altered either; from format
version 2 the backup's identity (id, target, engine, creation time: see
:func:`identity`) is too, so an object decrypts only under its own manifest. The
manifest itself is signed with HMAC-SHA256 under a key derived from the same key
(:func:`sign_manifest`). Version 1 objects (no identity) still read.

Without keys the same framing is used unsealed, and the manifest's SHA-256 is the
integrity check; readiness reports the missing key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from prodready_backup.compression import CODES, NAMES
from prodready_backup.errors import IntegrityError, KeyMissing

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"PRDYBKP\x00"
FORMAT_VERSION = 2
#: The first format version whose chunks authenticate the backup's identity.
IDENTITY_VERSION = 2
CHUNK_SIZE = 1024 * 1024
_SALT_SIZE = 16
_FRAME = struct.Struct(">IB")
_FINAL = 1
_TAG_SIZE = 16


class KeyError_(ValueError):
    """A configured key is not 32 bytes of base64."""


@dataclass(frozen=True)
class Key:
    id: str
    secret: bytes = b""

    def __repr__(self) -> str:  # never show the secret in logs or tracebacks
        return f"Key(id={self.id!r})"


def parse_key(value: str) -> Key:
    try:
        secret = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyError_("is not valid base64") from exc
    if len(secret) != 32:
        raise KeyError_(f"decodes to {len(secret)} bytes, not 32")
    return Key(id=key_id(secret), secret=secret)


def key_id(secret: bytes) -> str:
    """A public fingerprint of a key: stored in headers to pick the key for decryption."""
    return hashlib.sha256(b"prodready-backup key id\x00" + secret).hexdigest()[:16]


def generate_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _derive(secret: bytes, salt: bytes) -> AESGCM:
    # Imported here, not at the top: the system checks import this module (parse_key)
    # in every process, web workers included, which never encrypt.
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"prodready-backup v1")
    return AESGCM(hkdf.derive(secret))


def _manifest_key(secret: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"prodready-backup manifest")
    return hkdf.derive(secret)


def sign_manifest(payload: bytes, key: Key) -> str:
    """The manifest's signature: HMAC-SHA256 of its canonical JSON under a derived key."""
    return hmac.new(_manifest_key(key.secret), payload, hashlib.sha256).hexdigest()


def signature_matches(payload: bytes, signature: str, key: Key) -> bool:
    return hmac.compare_digest(sign_manifest(payload, key), signature)


def identity(backup_id: str, target: str, engine: str, created_at: str) -> bytes:
    """What binds an object to its manifest: added to every chunk's associated data."""
    fields = [backup_id, target, engine, created_at]
    return b"prodready-backup identity\x00" + json.dumps(fields).encode()


def _nonce(index: int, final: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if final else b"\x00")


@dataclass(frozen=True)
class Header:
    version: int
    compression: str
    key_id: str | None
    salt: bytes
    raw: bytes

    @property
    def encrypted(self) -> bool:
        return self.key_id is not None


def make_header(compression: str, key: Key | None) -> Header:
    kid = key.id.encode() if key else b""
    salt = os.urandom(_SALT_SIZE)
    raw = (
        MAGIC + bytes([FORMAT_VERSION, CODES[compression], 1 if key else 0, len(kid)]) + kid + salt
    )
    return Header(FORMAT_VERSION, compression, key.id if key else None, salt, raw)


class Sealer:
    """Turns plaintext pieces into frames of CHUNK_SIZE, the last one flagged final.

    A frame is yielded as two pieces, its 5-byte head and its payload, and the payload is
    sealed straight from the buffer: a chunk is copied neither before it is encrypted nor
    after, so sealing adds one CHUNK_SIZE of memory to the buffer's.
    """

    def __init__(self, header: Header, key: Key | None, identity: bytes = b"") -> None:
        self._aad = header.raw + (identity if header.version >= IDENTITY_VERSION else b"")
        self._aead = _derive(key.secret, header.salt) if key else None
        self._buffer = bytearray()
        self._index = 0

    def update(self, data: bytes) -> Iterator[bytes]:
        self._buffer += data
        # Strictly greater: the last chunk is held back so finish() can flag it final.
        while len(self._buffer) > CHUNK_SIZE:
            # The views are released before the buffer shrinks (a bytearray with views
            # cannot be resized).
            with memoryview(self._buffer) as view, view[:CHUNK_SIZE] as chunk:
                head, payload = self._frame(chunk, final=False)
            del self._buffer[:CHUNK_SIZE]
            yield head
            yield payload
            del payload  # not held while the next chunk is sealed

    def finish(self) -> Iterator[bytes]:
        with memoryview(self._buffer) as chunk:
            head, payload = self._frame(chunk, final=True)
        self._buffer.clear()
        yield head
        yield payload

    def _frame(self, chunk: memoryview, final: bool) -> tuple[bytes, bytes]:
        payload = (
            self._aead.encrypt(_nonce(self._index, final), chunk, self._aad)
            if self._aead is not None
            else chunk.tobytes()
        )
        self._index += 1
        return _FRAME.pack(len(payload), _FINAL if final else 0), payload


def read_header(stream: BinaryIO) -> Header:
    start = _read(stream, len(MAGIC) + 4)
    if len(start) < len(MAGIC) + 4 or start[: len(MAGIC)] != MAGIC:
        raise IntegrityError(
            "The object is not a django-prodready backup (its header is unknown): "
            "it is foreign or corrupt."
        )
    version, compression, encrypted, kid_len = start[len(MAGIC) :]
    if version > FORMAT_VERSION:
        raise IntegrityError(
            f"The backup was made by format version {version}, newer than this version "
            f"reads ({FORMAT_VERSION}): upgrade django-prodready-backup to restore it."
        )
    if compression not in NAMES:
        raise IntegrityError(f"The backup names an unknown compression ({compression}).")
    rest = _read(stream, kid_len + _SALT_SIZE)
    if len(rest) < kid_len + _SALT_SIZE:
        raise IntegrityError("The backup ends inside its header: it is truncated.")
    kid = rest[:kid_len].decode("ascii", "replace") if encrypted else None
    return Header(version, NAMES[compression], kid, rest[kid_len:], start + rest)


def open_frames(
    header: Header, stream: BinaryIO, keys: list[Key], identity: bytes | None = b""
) -> Iterator[bytes]:
    """Yield the plaintext of every chunk, failing on any alteration or truncation.

    ``identity`` is the backup's :func:`identity` as its manifest states it; None when
    the manifest predates it (format 1), which only a version 1 object may have.
    """
    from cryptography.exceptions import InvalidTag

    aad = header.raw
    if header.version >= IDENTITY_VERSION and header.key_id is not None:
        if identity is None:
            raise IntegrityError(
                "The backup's object is of format version 2 but its manifest is of an older "
                "format: the manifest was replaced."
            )
        aad += identity
    aead = None
    if header.key_id is not None:
        key = next((k for k in keys if k.id == header.key_id), None)
        if key is None:
            raise KeyMissing(
                f"The backup is encrypted with key {header.key_id}, which is not in "
                "PRODREADY_BACKUP_ENCRYPTION_KEYS: add that key to decrypt it."
            )
        aead = _derive(key.secret, header.salt)
    index = 0
    while True:
        head = _read(stream, _FRAME.size)
        if len(head) < _FRAME.size:
            raise IntegrityError(
                f"The backup ends after chunk {index} without its final chunk: it is truncated."
            )
        length, flags = _FRAME.unpack(head)
        if length > CHUNK_SIZE + _TAG_SIZE or flags not in (0, _FINAL):
            raise IntegrityError(f"Chunk {index} of the backup has a corrupt frame.")
        payload = _read(stream, length)
        if len(payload) < length:
            raise IntegrityError(f"The backup ends inside chunk {index}: it is truncated.")
        final = flags == _FINAL
        if aead is not None:
            try:
                payload = aead.decrypt(_nonce(index, final), payload, aad)
            except InvalidTag:
                raise IntegrityError(
                    f"Chunk {index} of the backup fails authentication: it was altered, "
                    "truncated or reordered, or it belongs to another backup than its manifest."
                ) from None
        yield payload
        index += 1
        if final:
            if stream.read(1):
                raise IntegrityError("The backup has data after its final chunk: it is corrupt.")
            return


def _read(stream: BinaryIO, size: int) -> bytes:
    # Storage files may return fewer bytes than asked (S3 bodies, pipes).
    parts = []
    while size > 0:
        data = stream.read(size)
        if not data:
            break
        parts.append(data)
        size -= len(data)
    return b"".join(parts)


def configured_keys() -> list[Key]:
    """The keys of PRODREADY_BACKUP_ENCRYPTION_KEYS, newest first."""
    from prodready_backup.conf import conf
    from prodready_backup.errors import BackupError

    keys = []
    for position, value in enumerate(conf.BACKUP_ENCRYPTION_KEYS):
        try:
            keys.append(parse_key(value))
        except KeyError_ as exc:
            raise BackupError(
                f"PRODREADY_BACKUP_ENCRYPTION_KEYS[{position}] {exc}; run "
                "`manage.py check` for the fix."
            ) from None
    return keys
