"""A backup before ``migrate`` changes a database (``--backup-first``, or the setting).

Core owns ``migrate``; this module adds its ``--backup-first`` option and runs the backup
from core's hooks. PRODREADY_BACKUP_BEFORE_MIGRATE turns it on for every run. A failed
backup stops the migration.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.management.base import CommandError, CommandParser, OutputWrapper
from django.db import DatabaseError, connections
from django.db.migrations.recorder import MigrationRecorder

from prodready_backup.conf import conf

if TYPE_CHECKING:
    from django.db.migrations import Migration


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--backup-first",
        action="store_true",
        help="Back up the database before changing it; do not migrate if that fails.",
    )


def backup_before_migrate(
    plan: list[tuple[Migration, bool]],
    database: str,
    options: Mapping[str, Any],
    stdout: OutputWrapper,
) -> None:
    if not (options.get("backup_first") or conf.BACKUP_BEFORE_MIGRATE):
        return
    if options.get("fake") or not plan:
        return  # nothing will change
    if not MigrationRecorder(connections[database]).has_table():
        return  # a new database: nothing to lose
    from prodready_backup.backups import create_backup
    from prodready_backup.errors import BackupError
    from prodready_backup.targets import get_target

    name = f"db-{database}"
    verbose = options.get("verbosity", 1) > 0
    if verbose:
        stdout.write(f"Backing up {name} before migrating ...")
    try:
        record = create_backup(get_target(name), reason="before migrate")
    except BackupError as exc:
        raise CommandError(f"Not migrating: the backup of {name} failed: {exc}") from exc
    except DatabaseError as exc:
        raise CommandError(
            f"Not migrating: the backup of {name} could not be recorded ({exc}); "
            "run `manage.py migrate prodready_backup` once without --backup-first."
        ) from exc
    if verbose:
        stdout.write(f"  {record.backup_id}")
