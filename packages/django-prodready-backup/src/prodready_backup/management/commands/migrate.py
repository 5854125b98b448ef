"""``migrate``, optionally backing up first (``--backup-first``, or the setting).

PRODREADY_BACKUP_BEFORE_MIGRATE turns it on for every run. A failed backup stops the migration.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.core.management.commands import migrate
from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from prodready_backup.conf import conf


class Command(migrate.Command):
    help = migrate.Command.help + " Optionally backs up the database first."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--backup-first",
            action="store_true",
            help="Back up the database before changing it; do not migrate if that fails.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["backup_first"] or conf.BACKUP_BEFORE_MIGRATE:
            self._backup(options["database"], bool(options.get("app_label")))
        super().handle(*args, **options)

    def _backup(self, database: str, explicit_target: bool) -> None:
        from prodready_backup.backups import create_backup
        from prodready_backup.errors import BackupError
        from prodready_backup.targets import get_target

        if not MigrationRecorder(connections[database]).has_table():
            return  # a new database: nothing to lose
        if not explicit_target and not _pending(database):
            return  # nothing will change
        name = f"db-{database}"
        self.stdout.write(f"Backing up {name} before migrating ...")
        try:
            record = create_backup(get_target(name), reason="before migrate")
        except BackupError as exc:
            raise CommandError(f"Not migrating: the backup of {name} failed: {exc}") from exc
        except DatabaseError as exc:
            raise CommandError(
                f"Not migrating: the backup of {name} could not be recorded ({exc}); "
                "run `manage.py migrate prodready_backup` once without --backup-first."
            ) from exc
        self.stdout.write(f"  {record.backup_id}")


def _pending(database: str) -> bool:
    connection = connections[database]
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    return bool(executor.migration_plan(leaves))
