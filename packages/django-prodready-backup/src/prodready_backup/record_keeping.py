"""The backup records outlive a restore of the database they are stored in.

The records, with their verification results, describe the backups in the backup
storage, not the site's data. Restoring an older copy of their database would bring back
the records of that day: every later backup would be forgotten, the restored backup
itself would be "running" and unverified, and health would say "no verified backup yet".
So a restore of that database saves the records just before the load and writes them
back after it, in one transaction.

While it does, no other target may be backed up or pruned (their runs write records):
their locks are taken before anything changes, or the restore is refused.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING

from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router, transaction

from prodready_backup.errors import LockHeld, RefusedError
from prodready_backup.lock import target_lock
from prodready_backup.models import BackupRecord
from prodready_backup.targets import all_targets

if TYPE_CHECKING:
    from prodready import BackupTarget

logger = logging.getLogger(__name__)


class RecordKeeper:
    def __init__(self, target: BackupTarget) -> None:
        self.alias: str = router.db_for_write(BackupRecord) or DEFAULT_DB_ALIAS
        # Optional for targets that do not subclass prodready_backup.targets.BackupTarget.
        self.needed = getattr(target, "database_alias", None) == self.alias
        self._rows: list[BackupRecord] | None = None

    def save(self) -> None:
        """Remember every record; call right before the load."""
        if self.needed:
            self._rows = list(BackupRecord.objects.using(self.alias).order_by("pk"))

    def write_back(self) -> str | None:
        """Make the records table what it was before the load; a warning if it cannot."""
        if self._rows is None:
            return None
        try:
            self._write(self._rows)
        except DatabaseError as exc:
            logger.exception("Writing the backup records back after a restore failed")
            return (
                f"The backup records could not be written back after the restore ({exc}): "
                "run `manage.py migrate`, then `manage.py backup verify` to record the "
                "newest backups as verified again."
            )
        return None

    def _write(self, rows: list[BackupRecord]) -> None:
        connection = connections[self.alias]
        meta = BackupRecord._meta
        quote = connection.ops.quote_name
        with transaction.atomic(using=self.alias), connection.cursor() as cursor:
            # Only the columns the restored table has: a backup made before a migration
            # of this app lacks the newer ones, which `migrate` adds with their defaults.
            existing = {
                column.name
                for column in connection.introspection.get_table_description(cursor, meta.db_table)
            }
            fields = [f for f in meta.concrete_fields if f.column in existing]
            cursor.execute(f"DELETE FROM {quote(meta.db_table)}")
            if rows:
                columns = ", ".join(quote(str(f.column)) for f in fields)
                marks = ", ".join(["%s"] * len(fields))
                cursor.executemany(
                    f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})",
                    [
                        [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields]
                        for row in rows
                    ],
                )
            # The restored sequence is as old as the backup: move it past the kept ids.
            for sql in connection.ops.sequence_reset_sql(no_style(), [BackupRecord]):
                cursor.execute(sql)


@contextmanager
def keep_records(target: BackupTarget) -> Iterator[RecordKeeper]:
    """A :class:`RecordKeeper` for a restore into ``target``, whose own lock the caller holds."""
    keeper = RecordKeeper(target)
    with ExitStack() as locks:
        if keeper.needed:
            for other in all_targets():
                if other.name == target.name:
                    continue
                try:
                    locks.enter_context(target_lock(other.name))
                except LockHeld as exc:
                    raise RefusedError(
                        f"{exc} Restoring {target.name} also restores the backup records, "
                        "so no other backup may run meanwhile: try again when it has "
                        "finished. Nothing was changed."
                    ) from exc
        yield keeper
