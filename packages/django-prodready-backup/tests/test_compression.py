"""zstd in worker threads: one ordinary frame with a 1 MiB window, read back like the
single-threaded one.

Decompression yields bounded pieces, however well the data compressed.
"""

from __future__ import annotations

import os

import pytest
import zstandard

from prodready_backup import compression
from prodready_backup.errors import IntegrityError

# Compressible but not trivially: several jobs of zstd's worker threads.
BLOCK = os.urandom(4096).hex().encode()
DATA = b"".join(BLOCK[i % 97 :] + str(i).encode() for i in range(1200))


def _compress(data: bytes) -> bytes:
    compressor = compression.compressor("zstd")
    pieces = [
        compressor.compress(data[i : i + 256 * 1024]) for i in range(0, len(data), 256 * 1024)
    ]
    return b"".join(pieces) + compressor.flush()


def _decompress(blob: bytes) -> bytes:
    return b"".join(compression.decompress("zstd", [blob]))


@pytest.mark.parametrize(("cpus", "workers"), [(1, 0), (2, 2), (64, 2)])
def test_workers_follow_the_cpus_up_to_two(
    cpus: int, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cpus)), raising=False)
    assert compression._workers() == workers


@pytest.mark.parametrize("cpus", [1, 2])
def test_zstd_round_trips_with_and_without_workers(
    cpus: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cpus)), raising=False)
    assert len(DATA) > 3 * compression._JOB_SIZE
    blob = _compress(DATA)
    assert len(blob) < len(DATA) / 2
    assert _decompress(blob) == DATA
    # One frame: a reader that stops at the end of the first frame gets everything.
    assert zstandard.ZstdDecompressor().decompressobj().decompress(blob) == DATA


@pytest.mark.parametrize("cpus", [1, 2])
def test_the_window_is_one_mib(cpus: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # What a restore holds to decompress is the frame's window: level 3 alone would
    # declare 2 MiB.
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cpus)), raising=False)
    assert zstandard.get_frame_parameters(_compress(DATA)).window_size == 1024 * 1024


def test_frames_of_earlier_versions_still_decompress() -> None:
    # Backups made before worker threads (level 3, no threads, one compressobj frame) and
    # before the 1 MiB window (2 MiB jobs, level 3's 2 MiB window).
    two_workers = zstandard.ZstdCompressionParameters.from_level(
        3, threads=2, job_size=2 * 1024 * 1024
    )
    for old in (
        zstandard.ZstdCompressor(level=3).compressobj(),
        zstandard.ZstdCompressor(compression_params=two_workers).compressobj(),
    ):
        blob = old.compress(DATA) + old.flush()
        assert _decompress(blob) == DATA


@pytest.mark.parametrize("name", ["zstd", "gzip", "none"])
def test_decompressed_pieces_are_bounded_however_well_the_data_compressed(name: str) -> None:
    # 16 MiB of blanks compress to a few KiB, which one call used to inflate whole: the
    # memory of a restore then grew with the most compressible stretch of the dump.
    data = b" " * (16 * 1024 * 1024)
    compressor = compression.compressor(name)
    blob = compressor.compress(data) + compressor.flush()
    chunks = [blob[i : i + 4096] for i in range(0, len(blob), 4096)]
    pieces = list(compression.decompress(name, chunks))
    assert max(map(len, pieces)) <= compression._OUT
    assert b"".join(pieces) == data


def test_a_truncated_gzip_stream_is_refused() -> None:
    compressor = compression.compressor("gzip")
    blob = compressor.compress(DATA) + compressor.flush()
    with pytest.raises(IntegrityError, match="ends early"):
        b"".join(compression.decompress("gzip", [blob[:-100]]))
