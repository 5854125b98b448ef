"""Media files: a tar stream of a storage, built file by file without temporary copies."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.core.files import File
from django.core.files.storage import Storage, storages

from prodready_backup.chunk_reader import ChunkReader
from prodready_backup.errors import DumpError, IntegrityError, RefusedError, RestoreError
from prodready_backup.targets.base import BackupTarget, Dump, Facts, RestoreTest
from prodready_backup.targets.media_root import unsafe_root

BLOCK = 512
READ_CHUNK = 1024 * 1024


class MediaTarget(BackupTarget):
    engine = "media"

    def __init__(self, storage_alias: str = "default", name: str = "media") -> None:
        self.storage_alias = storage_alias
        self.name = name

    def storage(self) -> Storage:
        return storages[self.storage_alias]

    def _checked_storage(self, refuse: type[DumpError | RefusedError]) -> Storage:
        # The system check's rule, here too: backups run where checks do not (Celery, cron).
        storage = self.storage()
        problem = unsafe_root(storage, self.storage_alias)
        if problem is not None:
            raise refuse(f"{problem} ({problem.id})")
        return storage

    @contextmanager
    def open_dump(self) -> Iterator[Dump]:
        storage = self._checked_storage(DumpError)
        names = sorted(_walk(storage, ""))
        sizes = {name: storage.size(name) for name in names}
        facts = Facts(
            server_version=type(storage).__name__,
            database=self.storage_alias,
            row_counts={"files": len(names), "bytes": sum(sizes.values())},
        )
        yield Dump(_tar(storage, sizes), facts)

    def restore(self, chunks: Iterable[bytes]) -> None:
        storage = self._checked_storage(RefusedError)
        try:
            for member, content in _members(chunks):
                if storage.exists(member.name):
                    storage.delete(member.name)
                saved = storage.save(member.name, File(content, name=member.name))
                if saved != member.name:
                    raise RestoreError(f"The media storage saved {member.name} as {saved}.")
        except OSError as exc:
            raise RestoreError(f"Writing to the media storage failed ({exc}).") from exc

    def restore_test(self, chunks: Iterable[bytes]) -> RestoreTest:
        files = size = 0
        for _member, content in _members(chunks):
            while data := content.read(READ_CHUNK):
                size += len(data)
            files += 1
        return RestoreTest(row_counts={"files": files, "bytes": size}, migrations=[])


def _walk(storage: Storage, folder: str) -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    prefix = f"{folder}/" if folder else ""
    for name in files:
        yield prefix + name
    for sub in folders:
        yield from _walk(storage, prefix + sub)


def _tar(storage: Storage, sizes: dict[str, int]) -> Iterator[bytes]:
    for name, size in sizes.items():
        info = tarfile.TarInfo(name)
        info.size = size
        info.mode = 0o644
        try:
            info.mtime = int(storage.get_modified_time(name).timestamp())
        except (NotImplementedError, OSError):
            info.mtime = 0
        yield info.tobuf(format=tarfile.PAX_FORMAT)
        remaining = size
        with storage.open(name, "rb") as file:
            while remaining > 0:
                data = file.read(min(READ_CHUNK, remaining))
                if not data:
                    raise DumpError(f"The media file {name} shrank while it was backed up.")
                remaining -= len(data)
                yield data
        if size % BLOCK:
            yield b"\0" * (BLOCK - size % BLOCK)
    yield b"\0" * (2 * BLOCK)


def _members(chunks: Iterable[bytes]) -> Iterator[tuple[tarfile.TarInfo, io.BufferedReader]]:
    stream = io.BufferedReader(ChunkReader(chunks), buffer_size=READ_CHUNK)
    try:
        with tarfile.open(fileobj=stream, mode="r|") as archive:
            for member in archive:
                if not member.isfile():
                    continue
                parts = member.name.split("/")
                if member.name.startswith("/") or ".." in parts:
                    raise IntegrityError(f"The media backup holds an unsafe path {member.name!r}.")
                content = archive.extractfile(member)
                assert content is not None
                yield member, content  # type: ignore[misc]
    except tarfile.TarError as exc:
        raise IntegrityError(f"The media backup is not a valid tar stream ({exc}).") from exc
