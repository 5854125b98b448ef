"""Streaming compression: zstd by default, gzip for portability, none for tests and speed.

Compressors take and return bytes piece by piece, so memory stays flat.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from typing import Protocol

from prodready_backup.errors import IntegrityError

# One byte in the header names the compression; never renumber.
CODES = {"none": 0, "gzip": 1, "zstd": 2}
NAMES = {code: name for name, code in CODES.items()}
# Decompression is fed slices this big, which bounds the output of one call.
_FEED = 64 * 1024


class Compressor(Protocol):
    def compress(self, data: bytes, /) -> bytes: ...
    def flush(self) -> bytes: ...


class _Identity:
    def compress(self, data: bytes, /) -> bytes:
        return data

    def flush(self) -> bytes:
        return b""

    def decompress(self, data: bytes, /) -> bytes:
        return data

    @property
    def eof(self) -> bool:
        return True


def _zstd() -> object:
    try:
        import zstandard
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise RuntimeError("zstd compression needs the zstandard package.") from exc
    return zstandard


def compressor(name: str) -> Compressor:
    if name == "zstd":
        zstandard = _zstd()
        # Level 3 (zstd's default) keeps up with pg_dump on one core. Worker threads
        # gain little there and cost tens of MB each, so none.
        obj: Compressor = zstandard.ZstdCompressor(level=3).compressobj()  # type: ignore[attr-defined]
        return obj
    if name == "gzip":
        return zlib.compressobj(6, zlib.DEFLATED, 31)
    if name == "none":
        return _Identity()
    raise ValueError(f"Unknown compression {name!r}; expected one of {', '.join(CODES)}.")


def decompress(name: str, chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Decompress a stream, failing if it is corrupt or ends early."""
    if name == "zstd":
        decompressor = _zstd().ZstdDecompressor().decompressobj()  # type: ignore[attr-defined]
    elif name == "gzip":
        decompressor = zlib.decompressobj(31)
    else:
        decompressor = _Identity()
    try:
        for chunk in chunks:
            view = memoryview(chunk)
            for start in range(0, len(view), _FEED):
                out = decompressor.decompress(view[start : start + _FEED].tobytes())
                if out:
                    yield out
        if name == "gzip" and not decompressor.eof:
            raise IntegrityError("The compressed data ends early: the backup is truncated.")
    except (zlib.error, _zstd_error()) as exc:
        raise IntegrityError(f"The content does not decompress ({exc}): it is corrupt.") from exc


def _zstd_error() -> type[Exception]:
    try:
        import zstandard
    except ImportError:  # pragma: no cover
        return zlib.error
    error: type[Exception] = zstandard.ZstdError
    return error
