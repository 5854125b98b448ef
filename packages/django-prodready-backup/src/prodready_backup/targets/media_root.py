"""Which media roots a backup may archive.

A FileSystemStorage without a location (MEDIA_ROOT empty, as ``startproject`` leaves
it) stores in the working directory. Archiving that, or any directory that holds the
project, the settings, a database file or the backups, would copy keys, the whole
database and earlier backups into every media backup: unencrypted by the tar layer,
and growing with each run. The system check and the media target itself (backups run
from Celery and cron, where checks do not) apply the same rule with the same message.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

from django.conf import ENVIRONMENT_VARIABLE, settings
from django.core.files.storage import FileSystemStorage, Storage, storages

from prodready_backup.conf import conf
from prodready_backup.errors import Problem


def media_target_enabled() -> bool:
    """PRODREADY_BACKUP_MEDIA, or by default: whether the media storage has a root."""
    if conf.BACKUP_MEDIA is not None:
        return bool(conf.BACKUP_MEDIA)
    alias = conf.BACKUP_MEDIA_STORAGE
    if alias not in getattr(settings, "STORAGES", {}):
        return False
    return not has_no_root(storages[alias])


def has_no_root(storage: Storage) -> bool:
    if not isinstance(storage, FileSystemStorage):
        return False  # an object store, or a storage the project wrote: set up on purpose
    return str(storage.base_location or "").strip() in ("", ".")


def unsafe_root(storage: Storage, alias: str) -> Problem | None:
    """Why ``storage`` must not be archived as media, or None when it may."""
    if not isinstance(storage, FileSystemStorage):
        return None
    if has_no_root(storage):
        return Problem(
            "prodready_backup.E007",
            f"The media storage {alias!r} has no location of its own (MEDIA_ROOT is "
            f"empty), so a media backup would archive the working directory "
            f"({Path.cwd()}), with the settings, the database and earlier backups.",
            hint="Set MEDIA_ROOT to the directory of uploaded files (for example "
            'BASE_DIR / "media"), or set PRODREADY_BACKUP_MEDIA = False if the site has '
            "no media files.",
        )
    root = Path(storage.location).resolve()
    for what, path in _protected():
        if path == root or path.is_relative_to(root):
            verb = "is" if path == root else "holds"
        elif what.startswith("the backup") and root.is_relative_to(path):
            verb = "lies inside"
        else:
            continue
        return Problem(
            "prodready_backup.E008",
            f"The media storage {alias!r} stores its files in {root}, which {verb} "
            f"{what}: a media backup must archive uploaded files only, never the "
            "project, its secrets, its database or earlier backups.",
            hint=f"Point MEDIA_ROOT (or the 'location' option of STORAGES[{alias!r}]) at "
            'a directory of uploaded files only, such as BASE_DIR / "media", or set '
            "PRODREADY_BACKUP_MEDIA = False.",
        )
    return None


def _protected() -> Iterator[tuple[str, Path]]:
    """What no media root may be or hold, each with a description for the message."""
    base = getattr(settings, "BASE_DIR", None)
    if base:
        yield f"the project directory (BASE_DIR, {_resolved(base)})", _resolved(base)
    for alias, database in settings.DATABASES.items():
        name = str(database.get("NAME") or "")
        if "sqlite" in database.get("ENGINE", "") and name and not _in_memory(name):
            path = _resolved(name)
            yield f"the database file of DATABASES[{alias!r}] ({path})", path
    location = _backup_location()
    if location is not None:
        yield f"the backup directory ({location})", location
    # override_settings hides SETTINGS_MODULE; the environment still names it.
    dotted = getattr(settings, "SETTINGS_MODULE", None) or os.environ.get(ENVIRONMENT_VARIABLE)
    module = sys.modules.get(dotted or "")
    if module is not None and getattr(module, "__file__", None):
        path = _resolved(str(module.__file__))
        yield f"the settings module {dotted} ({path})", path


def _backup_location() -> Path | None:
    from prodready_backup.storage import backup_storage

    try:
        store = backup_storage()
    except Exception:
        return None  # a storage that cannot be opened is reported by check_storages
    if isinstance(store, FileSystemStorage):
        return _resolved(store.location)
    return None


def _in_memory(name: str) -> bool:
    return name == ":memory:" or name.startswith("file:")


def _resolved(path: object) -> Path:
    return Path(str(path)).expanduser().resolve()
