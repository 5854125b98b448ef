"""Backup targets: the built-in ones and those plugins add through the hook."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connections

from prodready_backup.conf import conf
from prodready_backup.errors import BackupError, NotFound
from prodready_backup.targets.base import BackupTarget, Dump, Facts, RestoreTest

if TYPE_CHECKING:
    import prodready

__all__ = [
    "BackupTarget",
    "Dump",
    "Facts",
    "RestoreTest",
    "all_targets",
    "database_target",
    "get_target",
]


def _database_target(alias: str) -> BackupTarget | None:
    # Only the vendor's module is imported: a PostgreSQL site's backups never load
    # sqlite3 (almost 1 MiB of a backup process's memory) or the MySQL client code.
    vendor = connections[alias].vendor
    if vendor == "postgresql":
        from prodready_backup.targets.postgresql import PostgresTarget

        return PostgresTarget(alias)
    if vendor == "mysql":
        from prodready_backup.targets.mysql import MysqlTarget

        return MysqlTarget(alias)
    if vendor == "sqlite":
        from prodready_backup.targets.sqlite import SqliteTarget

        return SqliteTarget(alias)
    return None


def database_target(alias: str) -> BackupTarget:
    """A target for the database ``alias`` of DATABASES, backed up or not."""
    if alias not in settings.DATABASES:
        known = ", ".join(settings.DATABASES)
        raise NotFound(f"There is no database {alias!r} in DATABASES; the aliases are: {known}.")
    target = _database_target(alias)
    if target is None:
        raise NotFound(
            f"Database {alias!r} is {connections[alias].vendor}, which backups do not support."
        )
    return target


def builtin_targets() -> list[BackupTarget]:
    from prodready_backup.targets.media_root import media_target_enabled

    targets: list[BackupTarget] = []
    aliases = conf.BACKUP_DATABASES
    for alias in settings.DATABASES if aliases is None else aliases:
        target = _database_target(alias)
        if target is not None:
            targets.append(target)
    if media_target_enabled():
        from prodready_backup.targets.media import MediaTarget

        targets.append(MediaTarget(conf.BACKUP_MEDIA_STORAGE))
    return targets


def all_targets() -> list[prodready.BackupTarget]:
    """Every plugin's targets: core checks each against ``prodready.BackupTarget``,
    this that no two share a name (only here are all plugins' targets seen together)."""
    from prodready import hooks

    found = hooks.backup_targets()
    names = [t.name for t in found]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise BackupError(f"Two backup targets share the name {', '.join(duplicates)}.")
    return found


def get_target(name: str) -> prodready.BackupTarget:
    targets = all_targets()
    for target in targets:
        if target.name == name:
            return target
    known = ", ".join(t.name for t in targets) or "none"
    raise NotFound(f"There is no backup target {name!r}; the targets are: {known}.")
