"""A read-only file over an iterator of byte chunks, for APIs that want a file.

Storages pull the pipeline's output through one (``storage.save(name, File(reader))``),
and the media target reads the tar stream of a restore through one. Nothing is
buffered beyond the chunk being read.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

_SPENT = memoryview(b"")


class ChunkReader(io.RawIOBase):
    """Reads ``chunks`` in order; subclasses see each piece read in :meth:`consumed`."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._pending = _SPENT

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            # The spent view still holds its whole chunk: let it go before the next is made.
            self._pending = _SPENT
            try:
                self._pending = memoryview(next(self._chunks))
            except StopIteration:
                self.finished()
                return 0
        size = min(len(buffer), len(self._pending))
        piece = self._pending[:size]
        buffer[:size] = piece
        self.consumed(piece)
        self._pending = self._pending[size:]
        return size

    def consumed(self, piece: memoryview) -> None:
        """Called with every piece handed to a reader."""

    def finished(self) -> None:
        """Called when a read finds the chunks exhausted."""
