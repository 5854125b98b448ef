"""Streaming compression: zstd by default, gzip for portability, none for tests and speed.

Compressors take and return bytes piece by piece, so memory stays flat.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterable, Iterator
from typing import Protocol

from prodready_backup.chunk_reader import ChunkReader
from prodready_backup.errors import IntegrityError

# One byte in the header names the compression; never renumber.
CODES = {"none": 0, "gzip": 1, "zstd": 2}
NAMES = {code: name for name, code in CODES.items()}
# Decompression is fed slices this big, and yields pieces of at most _OUT bytes: bounding
# the input alone does not bound the output (64 KiB of zstd can hold gigabytes of blanks).
_FEED = 64 * 1024
_OUT = 256 * 1024
# zstd compression: at most this many worker threads, each compressing jobs this big
# (zstd's smallest), with a window of 2**_WINDOW_LOG bytes (level 3 would take 2 MiB).
_MAX_WORKERS = 2
_JOB_SIZE = 512 * 1024
_WINDOW_LOG = 20


class Compressor(Protocol):
    def compress(self, data: bytes, /) -> bytes: ...
    def flush(self) -> bytes: ...


class _Identity:
    def compress(self, data: bytes, /) -> bytes:
        return data

    def flush(self) -> bytes:
        return b""


def _zstd() -> object:
    try:
        import zstandard
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise RuntimeError("zstd compression needs the zstandard package.") from exc
    return zstandard


def compressor(name: str) -> Compressor:
    if name == "zstd":
        zstandard = _zstd()
        # Level 3, zstd's default. On text-heavy data it, not pg_dump, is the bottleneck,
        # so it runs in zstd's worker threads (the GIL released), beside the thread that
        # reads the dump, encrypts and writes. Their memory is set by the job size and
        # the window, not the dump's size: on a 420 MB text-heavy dump, two workers with
        # 2 MiB jobs and level 3's 2 MiB window added 21 MiB to the process's peak; with
        # 512 KiB jobs and a 1 MiB window, 9 MiB, for 3% more time. One worker saves
        # another 1.3 MiB but takes 1.2x as long. The 1 MiB window also halves what a
        # restore holds to decompress. The output is one ordinary zstd frame.
        params = zstandard.ZstdCompressionParameters.from_level(  # type: ignore[attr-defined]
            3, threads=_workers(), job_size=_JOB_SIZE, window_log=_WINDOW_LOG
        )
        obj: Compressor = zstandard.ZstdCompressor(compression_params=params).compressobj()  # type: ignore[attr-defined]
        return obj
    if name == "gzip":
        return zlib.compressobj(6, zlib.DEFLATED, 31)
    if name == "none":
        return _Identity()
    raise ValueError(f"Unknown compression {name!r}; expected one of {', '.join(CODES)}.")


def _workers() -> int:
    """zstd worker threads: none on one CPU, where they could only take turns."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return min(_MAX_WORKERS, cpus) if cpus > 1 else 0


def decompress(name: str, chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Decompress a stream in pieces of at most ``_OUT`` bytes, failing if it is corrupt
    or (gzip) ends early; memory stays flat however well the data compressed."""
    source = iter(chunks)
    try:
        if name == "zstd":
            yield from _zstd_pieces(source)
        elif name == "gzip":
            yield from _gzip_pieces(source)
        else:
            for chunk in source:
                view = memoryview(chunk)
                for start in range(0, len(view), _FEED):
                    yield view[start : start + _FEED].tobytes()
    except (zlib.error, _zstd_error()) as exc:
        raise IntegrityError(f"The content does not decompress ({exc}): it is corrupt.") from exc


def _zstd_pieces(source: Iterator[bytes]) -> Iterator[bytes]:
    decompressor = _zstd().ZstdDecompressor()  # type: ignore[attr-defined]
    reader = ChunkReader(source)
    yield from decompressor.read_to_iter(reader, read_size=_FEED, write_size=_OUT)
    # What follows the frame is read, as before, so the layers below see the whole object.
    for _rest in source:
        pass


def _gzip_pieces(source: Iterator[bytes]) -> Iterator[bytes]:
    decompressor = zlib.decompressobj(31)
    for chunk in source:
        data = chunk
        while data:
            out = decompressor.decompress(data, _OUT)
            if out:
                yield out
            data = decompressor.unconsumed_tail
    if rest := decompressor.flush():
        yield rest
    if not decompressor.eof:
        raise IntegrityError("The compressed data ends early: the backup is truncated.")


def _zstd_error() -> type[Exception]:
    try:
        import zstandard
    except ImportError:  # pragma: no cover
        return zlib.error
    error: type[Exception] = zstandard.ZstdError
    return error
