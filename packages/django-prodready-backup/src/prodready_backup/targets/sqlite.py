"""SQLite: a consistent copy through the online-backup API, streamed from a temporary file.

Restores are written to a temporary file and checked there first. The checked copy is
then swapped in with the same online-backup API, in one transaction: unlike renaming
a file over the database, every open connection (other threads, other processes)
sees the restored data at once, and a WAL file of the old database cannot be replayed
onto the new one.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connections

from prodready_backup.errors import DumpError, IntegrityError, RestoreError
from prodready_backup.targets.base import DatabaseTarget, Dump, Facts, RestoreTest

READ_CHUNK = 1024 * 1024


class SqliteTarget(DatabaseTarget):
    engine = "sqlite"

    def _live(self) -> sqlite3.Connection:
        wrapper = connections[self.alias]
        wrapper.ensure_connection()
        connection: sqlite3.Connection = wrapper.connection
        return connection

    def _scratch_dir(self) -> str | None:
        # Next to the database, so the final copy stays on one file system.
        name = str(connections[self.alias].settings_dict["NAME"])
        path = Path(name)
        return str(path.parent) if path.is_absolute() and path.parent.is_dir() else None

    @contextmanager
    def open_dump(self) -> Iterator[Dump]:
        handle, path = tempfile.mkstemp(suffix=".sqlite3", prefix=".prodready-backup-")
        os.close(handle)
        try:
            copy = sqlite3.connect(path)
            try:
                self._live().backup(copy)
                facts = _facts(copy, str(connections[self.alias].settings_dict["NAME"]))
            except sqlite3.Error as exc:
                raise DumpError(f"The SQLite online backup failed ({exc}).") from exc
            finally:
                copy.close()
            yield Dump(_read_file(path), facts)
        finally:
            os.unlink(path)

    def restore(self, chunks: Iterable[bytes]) -> None:
        with self._written(chunks) as path:
            source = sqlite3.connect(path)
            try:
                # One step (pages=-1): the live database changes all at once or not at all.
                source.backup(self._live(), pages=-1)
            except sqlite3.Error as exc:
                raise RestoreError(f"Swapping in the restored database failed ({exc}).") from exc
            finally:
                source.close()

    def current_facts(self) -> Facts:
        return _facts(self._live(), str(connections[self.alias].settings_dict["NAME"]))

    def restore_test(self, chunks: Iterable[bytes]) -> RestoreTest:
        with self._written(chunks) as path:
            connection = self._open(path)
            try:
                facts = _facts(connection, path)
            finally:
                connection.close()
        return RestoreTest(row_counts=facts.row_counts, migrations=facts.migrations)

    def _open(self, path: str) -> sqlite3.Connection:
        """A connection to the copy at ``path`` as Django opens this database: with the SQL
        functions Django adds to SQLite, which indexes and constraints on expressions
        (``ExtractMonth``, ``Lower``, ...) call, even in an integrity check."""
        live = connections[self.alias]
        copy = type(live)({**live.settings_dict, "NAME": path}, alias=f"{self.alias}-copy")
        connection: sqlite3.Connection = copy.get_new_connection(copy.get_connection_params())
        return connection

    @contextmanager
    def _written(self, chunks: Iterable[bytes]) -> Iterator[str]:
        """The dump written to a temporary file and checked to be a sound database."""
        handle, path = tempfile.mkstemp(
            suffix=".sqlite3", prefix=".prodready-restore-", dir=self._scratch_dir()
        )
        try:
            with os.fdopen(handle, "wb") as file:
                for chunk in chunks:
                    file.write(chunk)
            connection = None
            try:
                connection = self._open(path)
                result = connection.execute("PRAGMA integrity_check").fetchone()
            except sqlite3.DatabaseError as exc:
                raise IntegrityError(
                    f"The restored file is not a SQLite database ({exc})."
                ) from exc
            finally:
                if connection is not None:
                    connection.close()
            if result is None or result[0] != "ok":
                raise IntegrityError(f"The restored SQLite database is damaged: {result}.")
            yield path
        finally:
            os.unlink(path)


def _read_file(path: str) -> Iterator[bytes]:
    with open(path, "rb") as file:
        while data := file.read(READ_CHUNK):
            yield data


def _facts(connection: sqlite3.Connection, database: str) -> Facts:
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    counts = {}
    for table in tables:
        quoted = '"' + table.replace('"', '""') + '"'
        counts[table] = connection.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0]
    migrations: list[str] = []
    if "django_migrations" in counts:
        migrations = [
            row[0]
            for row in connection.execute(
                "SELECT app || '.' || name FROM django_migrations ORDER BY 1"
            )
        ]
    return Facts(
        server_version=f"SQLite {sqlite3.sqlite_version}",
        database=database,
        migrations=migrations,
        row_counts=counts,
    )
