"""The streaming pipeline: source -> compression -> sealed chunks -> SHA-256 -> storage.

Every stage handles one piece at a time, so memory stays flat whatever the size of the
dump. The checksum is computed on the bytes as they go to storage, never by reading the
object back.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from prodready_backup import compression, crypto
from prodready_backup.errors import IntegrityError


@dataclass
class Counters:
    source_bytes: int = 0
    stored_bytes: int = 0
    sha256: str = ""


def encode(
    chunks: Iterable[bytes], *, compression_name: str, key: crypto.Key | None, counters: Counters
) -> Iterator[bytes]:
    """The stored object's bytes, piece by piece."""
    header = crypto.make_header(compression_name, key)
    yield header.raw
    compressor = compression.compressor(compression_name)
    sealer = crypto.Sealer(header, key)
    for chunk in chunks:
        counters.source_bytes += len(chunk)
        packed = compressor.compress(chunk)
        if packed:
            yield from sealer.update(packed)
    yield from sealer.update(compressor.flush())
    yield sealer.finish()


class HashingReader(io.RawIOBase):
    """A read-only file over an iterator of bytes that hashes and counts what is read.

    Storages pull from it (``storage.save(name, File(reader))``), so the pipeline runs
    at the storage's pace and nothing is buffered beyond one piece.
    """

    def __init__(self, pieces: Iterable[bytes], counters: Counters) -> None:
        self._pieces = iter(pieces)
        self._pending = memoryview(b"")
        self._hash = hashlib.sha256()
        self._counters = counters

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            try:
                self._pending = memoryview(next(self._pieces))
            except StopIteration:
                self._counters.sha256 = self._hash.hexdigest()
                return 0
        size = min(len(buffer), len(self._pending))
        piece = self._pending[:size]
        buffer[:size] = piece
        self._hash.update(piece)
        self._counters.stored_bytes += size
        self._pending = self._pending[size:]
        return size


class _HashingFile:
    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.hash = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self.hash.update(data)
        self.size += len(data)
        return data


def decode(stream: BinaryIO, *, keys: list[crypto.Key], sha256: str | None) -> Iterator[bytes]:
    """The original bytes of a stored object, checked as they are read.

    Authentication failures raise at the chunk they hit; the whole-object checksum (when
    given) is compared once the final chunk is read. Consumers that must not act on
    unchecked data run this once to the end before using it (see ``verify.check_object``).
    """
    hashed = _HashingFile(stream)
    header = crypto.read_header(hashed)  # type: ignore[arg-type]
    frames = crypto.open_frames(header, hashed, keys)  # type: ignore[arg-type]
    yield from compression.decompress(header.compression, frames)
    if sha256 is not None and hashed.hash.hexdigest() != sha256:
        raise IntegrityError(
            "The backup's SHA-256 does not match its manifest: the object was altered or replaced."
        )


def read_header(stream: BinaryIO) -> crypto.Header:
    return crypto.read_header(stream)
