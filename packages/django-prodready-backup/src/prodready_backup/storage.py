"""Where backups live: a Django storage, written atomically, listed by manifest.

Layout: ``<target>/<backup id>.backup`` (the object) and ``<target>/<backup id>.json``
(its manifest, written last). On a FileSystemStorage the object is written under a
hidden temporary name and renamed when complete; object stores (S3) make an upload
visible only once it is complete, so they are written under the final name. Either
way a backup counts only once its manifest exists.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Iterator
from typing import BinaryIO, cast

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages

from prodready_backup.conf import conf
from prodready_backup.errors import BackupError, IntegrityError, TransientBackupError
from prodready_backup.manifest import Manifest

logger = logging.getLogger(__name__)

OBJECT_SUFFIX = ".backup"
MANIFEST_SUFFIX = ".json"


def backup_storage() -> Storage:
    alias = conf.BACKUP_STORAGE
    if alias is None:
        return FileSystemStorage(location=conf.BACKUP_DIRECTORY)
    try:
        return storages[alias]
    except Exception as exc:  # InvalidStorageError, or the backend's own import error
        raise BackupError(
            f"PRODREADY_BACKUP_STORAGE names storage {alias!r}, which cannot be used: {exc}"
        ) from exc


def object_name(target: str, backup_id: str) -> str:
    return f"{target}/{backup_id}{OBJECT_SUFFIX}"


def manifest_name(target: str, backup_id: str) -> str:
    return f"{target}/{backup_id}{MANIFEST_SUFFIX}"


def write_atomically(storage: Storage, name: str, content: BinaryIO) -> None:
    """Write ``content`` to ``name``, so that ``name`` exists only once it is complete."""
    if isinstance(storage, FileSystemStorage):
        folder, base = name.rsplit("/", 1)
        temporary = f"{folder}/.{base}.partial"
        _save_exactly(storage, temporary, content)
        try:
            os.replace(storage.path(temporary), storage.path(name))
        except OSError:
            _delete_quietly(storage, temporary)
            raise
        return
    _save_exactly(storage, name, content)


def _save_exactly(storage: Storage, name: str, content: BinaryIO) -> None:
    try:
        saved = storage.save(name, File(content, name=name))
    except BackupError:
        _delete_quietly(storage, name)
        raise
    except Exception as exc:
        # The object is useless when incomplete; leave nothing behind.
        _delete_quietly(storage, name)
        if is_unreachable(exc):
            raise TransientBackupError(
                f"writing {name} to the backup storage failed: {exc}"
            ) from exc
        raise
    if saved != name:  # the storage renamed it to avoid a clash: ours must be unique
        _delete_quietly(storage, saved)
        raise BackupError(f"The backup storage already holds {name}; refusing to overwrite it.")


def is_unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` says the storage could not be reached or written (worth a retry)."""
    if isinstance(exc, OSError):
        return True
    try:
        # Optional (the s3 extra) and untyped; absent where the extra is not installed.
        import botocore.exceptions as boto  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        return False
    return isinstance(exc, boto.ConnectionError | boto.HTTPClientError)


def _delete_quietly(storage: Storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:
        logger.warning("Could not delete the incomplete object %s", name, exc_info=True)


def write_manifest(storage: Storage, manifest: Manifest) -> None:
    name = manifest_name(manifest.target, manifest.backup_id)
    write_atomically(storage, name, ContentFile(manifest.to_json()))  # type: ignore[arg-type]


def read_manifest(storage: Storage, target: str, backup_id: str) -> Manifest:
    with storage.open(manifest_name(target, backup_id), "rb") as handle:
        manifest = Manifest.from_json(handle.read())
    if (manifest.target, manifest.backup_id) != (target, backup_id):
        raise IntegrityError(
            f"The manifest {manifest_name(target, backup_id)} describes backup "
            f"{manifest.backup_id} of {manifest.target}: it was copied from another backup."
        )
    return manifest


def targets_in(storage: Storage) -> list[str]:
    try:
        folders, _files = storage.listdir("")
    except FileNotFoundError:
        return []
    return sorted(folders)


def manifests(storage: Storage, target: str) -> Iterator[Manifest]:
    """Complete backups of ``target`` (those with a readable manifest), oldest first."""
    try:
        _folders, files = storage.listdir(target)
    except FileNotFoundError:
        return
    found = []
    for filename in files:
        if filename.startswith(".") or not filename.endswith(MANIFEST_SUFFIX):
            continue
        backup_id = filename.removesuffix(MANIFEST_SUFFIX)
        try:
            found.append(read_manifest(storage, target, backup_id))
        except IntegrityError:
            logger.warning("Ignoring the unreadable manifest %s/%s", target, filename)
    yield from sorted(found, key=lambda m: m.created_at)


def open_object(storage: Storage, manifest: Manifest) -> BinaryIO:
    try:
        handle = cast(BinaryIO, storage.open(manifest.object_name, "rb"))
    except FileNotFoundError:
        raise IntegrityError(
            f"The object {manifest.object_name} of backup {manifest.backup_id} is missing."
        ) from None
    except Exception as exc:
        if is_unreachable(exc):
            raise TransientBackupError(f"The backup storage cannot be read: {exc}") from exc
        raise
    return handle


def delete_backup(storage: Storage, manifest: Manifest) -> None:
    # Manifest first: a backup without its manifest is incomplete, never half-listed.
    storage.delete(manifest_name(manifest.target, manifest.backup_id))
    storage.delete(manifest.object_name)


def buffered(raw: io.RawIOBase) -> BinaryIO:
    """``raw`` with reads that return all they ask for (object stores' uploads need full
    parts); the buffer is only for the remainder of a read, so it is kept to the 64 KiB
    a storage reads at a time (``File.chunks``): a larger one would be idle memory."""
    return cast(BinaryIO, io.BufferedReader(raw, buffer_size=64 * 1024))
