"""The streaming pipeline: source -> compression -> sealed chunks -> SHA-256 -> storage.

Every stage handles one piece at a time, so memory stays flat whatever the size of the
dump. The checksum is computed on the bytes as they go to storage, never by reading the
object back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

from prodready_backup import compression, crypto
from prodready_backup.chunk_reader import ChunkReader
from prodready_backup.errors import (
    BackupError,
    DumpError,
    IntegrityError,
    PlaintextRefused,
    StepError,
    TransientBackupError,
    describe,
)
from prodready_backup.plaintext import RESTORE_REFUSED
from prodready_backup.progress import Counters
from prodready_backup.steps import Explain, Step, Steps
from prodready_backup.storage import is_unreachable


def encode(
    chunks: Iterable[bytes],
    *,
    compression_name: str,
    key: crypto.Key | None,
    counters: Counters,
    on_read: Callable[[], None] | None = None,
    steps: Steps | None = None,
    identity: bytes = b"",
) -> Iterator[bytes]:
    """The stored object's bytes, piece by piece, each stage inside its step of ``steps``.

    A failure of the source, the compressor or the cipher is raised as a
    :class:`~prodready_backup.errors.BackupError` saying what failed, so the storage that
    pulls these bytes cannot mistake it for one of its own. ``on_read``, when given, is
    called after each piece of the source: the source moves steadily, while the stored
    bytes come in bursts (a frame per MiB of compressed output, later still while zstd's
    workers hold their jobs). ``identity`` (``crypto.identity``) is authenticated with
    every chunk: the object then decrypts only with the same identity.
    """
    steps = Steps() if steps is None else steps
    # One wrapper per stage; a failure is the step of the stage it leaves.
    reading = steps.step("dump", _source_error)
    compressing = steps.step("compress", _explained(f"{compression_name} compression failed"))
    sealing = steps.step("encrypt", _explained("Encryption failed"))
    reporting = steps.step("dump")  # reporting progress is part of reading the source
    with steps.step("encrypt"):
        header = crypto.make_header(compression_name, key)
    yield header.raw
    with steps.step("compress"):
        compressor = compression.compressor(compression_name)
    with steps.step("encrypt"):
        sealer = crypto.Sealer(header, key, identity)
    source = iter(chunks)
    while True:
        with reading:
            try:
                chunk = next(source)
            except StopIteration:
                break
        counters.source_bytes += len(chunk)
        if on_read is not None:
            with reporting:
                on_read()
        with compressing:
            packed = compressor.compress(chunk)
        if packed:
            yield from _sealed(sealer.update(packed), sealing)
    with compressing:
        packed = compressor.flush()
    yield from _sealed(sealer.update(packed), sealing)
    yield from _sealed(sealer.finish(), sealing)


def _sealed(pieces: Iterator[bytes], sealing: Step) -> Iterator[bytes]:
    while True:
        with sealing:
            try:
                piece = next(pieces)
            except StopIteration:
                return
        yield piece
        del piece  # not held while the next one is made


def _source_error(exc: Exception) -> BackupError:
    message = f"Reading the source failed: {describe(exc)}"
    # An unreachable media storage or database is worth a retry, like an unreachable
    # backup storage; anything else is a failed dump.
    return TransientBackupError(message) if is_unreachable(exc) else DumpError(message)


def _explained(what: str) -> Explain:
    return lambda exc: StepError(f"{what}: {describe(exc)}")


class HashingReader(ChunkReader):
    """A :class:`ChunkReader` that hashes and counts what the storage reads from it.

    The storage pulls the pipeline's bytes through it, so the pipeline runs at the
    storage's pace and the checksum is of exactly what was stored.
    """

    def __init__(self, pieces: Iterable[bytes], counters: Counters) -> None:
        super().__init__(pieces)
        self._hash = hashlib.sha256()
        self._counters = counters

    def consumed(self, piece: memoryview) -> None:
        self._hash.update(piece)
        self._counters.stored_bytes += len(piece)

    def finished(self) -> None:
        self._counters.sha256 = self._hash.hexdigest()


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


def decode(
    stream: BinaryIO,
    *,
    keys: list[crypto.Key],
    sha256: str | None,
    on_read: Callable[[int], None] | None = None,
    require_encryption: bool = False,
    identity: bytes | None = b"",
    on_header: Callable[[crypto.Header], None] | None = None,
) -> Iterator[bytes]:
    """The original bytes of a stored object, checked as they are read.

    Authentication failures raise at the chunk they hit; the whole-object checksum (when
    given) is compared once the final chunk is read. Consumers that must not act on
    unchecked data run this once to the end before using it (see ``verify.check_object``).
    ``on_read``, when given, is called with the stored bytes read so far after each piece.
    ``require_encryption`` refuses an unencrypted object by its header, whatever its
    manifest says. ``identity`` is the one the object was sealed with (see
    ``crypto.open_frames``). ``on_header``, when given, is called with the header once
    it is read and accepted (the manifest is authenticated there: see ``verify``).
    """
    hashed = _HashingFile(stream)
    header = crypto.read_header(hashed)  # type: ignore[arg-type]
    if require_encryption and not header.encrypted:
        raise PlaintextRefused(RESTORE_REFUSED)
    if on_header is not None:
        on_header(header)
    frames = crypto.open_frames(header, hashed, keys, identity)  # type: ignore[arg-type]
    for piece in compression.decompress(header.compression, frames):
        if on_read is not None:
            on_read(hashed.size)
        yield piece
    if sha256 is not None and hashed.hash.hexdigest() != sha256:
        raise IntegrityError(
            "The backup's SHA-256 does not match its manifest: the object was altered or replaced."
        )


def read_header(stream: BinaryIO) -> crypto.Header:
    return crypto.read_header(stream)
