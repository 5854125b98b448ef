"""The object format: round trips, and every alteration detected with one sentence."""

from __future__ import annotations

import io
import os
import tracemalloc

import pytest

from prodready_backup import crypto, storage
from prodready_backup.errors import IntegrityError
from prodready_backup.pipeline import Counters, HashingReader, decode, encode

KEY = crypto.parse_key(crypto.generate_key())
OTHER = crypto.parse_key(crypto.generate_key())


def seal(data: bytes, key: crypto.Key | None = KEY, compression: str = "zstd") -> bytes:
    pieces = [data[i : i + 70_000] for i in range(0, len(data), 70_000)]
    return b"".join(encode(pieces, compression_name=compression, key=key, counters=Counters()))


def unseal(blob: bytes, keys: list[crypto.Key] | None = None) -> bytes:
    return b"".join(decode(io.BytesIO(blob), keys=[KEY] if keys is None else keys, sha256=None))


# Incompressible, and more than two chunks once compressed, so frames are exercised.
DATA = os.urandom(crypto.CHUNK_SIZE * 2 + 12_345)


@pytest.mark.parametrize("compression", ["zstd", "gzip", "none"])
@pytest.mark.parametrize("key", [KEY, None], ids=["encrypted", "plain"])
def test_round_trip(compression: str, key: crypto.Key | None) -> None:
    assert unseal(seal(DATA, key, compression)) == DATA


def test_empty_source_round_trips() -> None:
    assert unseal(seal(b"")) == b""


def test_compression_shrinks_repetitive_data() -> None:
    data = b"INSERT INTO t VALUES (1, 'same');\n" * 100_000
    assert len(seal(data)) < len(data) / 20


def test_ciphertext_does_not_contain_the_plaintext() -> None:
    marker = b"very-secret-row-content" * 50
    assert b"very-secret-row-content" not in seal(marker, compression="none")


def test_same_data_twice_gives_different_objects() -> None:
    assert seal(b"same") != seal(b"same")


def test_counters_hash_what_is_stored() -> None:
    import hashlib

    from prodready_backup.pipeline import HashingReader

    counters = Counters()
    pieces = encode([DATA], compression_name="zstd", key=KEY, counters=counters)
    stored = HashingReader(pieces, counters).read()  # type: ignore[union-attr]
    assert counters.sha256 == hashlib.sha256(stored).hexdigest()
    assert counters.stored_bytes == len(stored)
    assert counters.source_bytes == len(DATA)


def _flip(blob: bytes, position: int) -> bytes:
    return blob[:position] + bytes([blob[position] ^ 0x01]) + blob[position + 1 :]


@pytest.mark.parametrize("position", [10, 60, 5000, -100, -1])
def test_a_flipped_byte_is_detected(position: int) -> None:
    blob = seal(DATA)
    with pytest.raises(IntegrityError):
        unseal(_flip(blob, position % len(blob)))


@pytest.mark.parametrize("keep", [0.2, 0.5, 0.9999])
def test_truncation_is_detected(keep: float) -> None:
    blob = seal(DATA)
    with pytest.raises(IntegrityError, match="truncated"):
        unseal(blob[: int(len(blob) * keep)])


def test_truncation_on_a_chunk_boundary_is_detected() -> None:
    blob = seal(DATA, compression="none")
    header = len(crypto.make_header("none", KEY).raw)
    first_frame_end = header + 5 + crypto.CHUNK_SIZE + 16
    with pytest.raises(IntegrityError, match="truncated"):
        unseal(blob[:first_frame_end])


def test_reordered_chunks_are_detected() -> None:
    blob = seal(DATA, compression="none")
    header = len(crypto.make_header("none", KEY).raw)
    frame = 5 + crypto.CHUNK_SIZE + 16
    first, second = blob[header : header + frame], blob[header + frame : header + 2 * frame]
    swapped = blob[:header] + second + first + blob[header + 2 * frame :]
    with pytest.raises(IntegrityError, match="authentication"):
        unseal(swapped)


def test_appended_data_is_detected() -> None:
    with pytest.raises(IntegrityError, match="after its final chunk"):
        unseal(seal(b"data") + b"more")


def test_wrong_key_is_explained() -> None:
    with pytest.raises(IntegrityError, match=f"key {KEY.id}.*not in PRODREADY_BACKUP"):
        unseal(seal(b"data"), keys=[OTHER])


def test_rotation_any_listed_key_decrypts() -> None:
    assert unseal(seal(b"data", key=KEY), keys=[OTHER, KEY]) == b"data"


def test_foreign_file_is_explained() -> None:
    with pytest.raises(IntegrityError, match="not a django-prodready backup"):
        unseal(b"PGDMP\x01\x0e\x00" + os.urandom(100))


def test_newer_format_is_refused() -> None:
    blob = bytearray(seal(b"data"))
    blob[len(crypto.MAGIC)] = crypto.FORMAT_VERSION + 1
    with pytest.raises(IntegrityError, match="newer"):
        unseal(bytes(blob))


def test_checksum_mismatch_is_detected_for_plain_backups() -> None:
    blob = seal(b"x" * 1000, key=None, compression="none")
    import hashlib

    good = hashlib.sha256(blob).hexdigest()
    bad = _flip(blob, len(blob) - 3)
    assert b"".join(decode(io.BytesIO(blob), keys=[], sha256=good)) == b"x" * 1000
    with pytest.raises(IntegrityError, match="SHA-256"):
        b"".join(decode(io.BytesIO(bad), keys=[], sha256=good))


@pytest.mark.parametrize(
    ("value", "problem"),
    [("not base64!", "not valid base64"), ("c2hvcnQ=", "decodes to 5 bytes")],
)
def test_bad_keys_are_explained(value: str, problem: str) -> None:
    with pytest.raises(crypto.KeyError_, match=problem):
        crypto.parse_key(value)


def test_key_repr_hides_the_secret() -> None:
    assert KEY.secret.hex() not in repr(KEY)


def test_sealing_holds_about_two_chunks_whatever_the_size() -> None:
    # Each chunk is sealed straight from the buffer and let go before the next is
    # sealed, and the storage reads through a small buffer: 8 MiB pass with the buffer
    # and one sealed chunk in memory (copies of each chunk once made it five or six).
    piece = os.urandom(crypto.CHUNK_SIZE // 4)
    counters = Counters()
    seal(piece)  # what the first backup imports is not the pipeline's memory
    tracemalloc.start()
    try:
        sealed = encode(
            (piece for _ in range(32)), compression_name="none", key=KEY, counters=counters
        )
        reader = storage.buffered(HashingReader(sealed, counters))
        while reader.read(64 * 1024):
            pass
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert counters.stored_bytes > 8 * crypto.CHUNK_SIZE
    assert peak < 3 * crypto.CHUNK_SIZE
