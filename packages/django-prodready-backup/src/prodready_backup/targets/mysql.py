"""MySQL and MariaDB: ``mysqldump --single-transaction`` streamed out, the client's SQL back in.

A dump holds the tables, their rows, views, triggers, routines and events of the one
database (no ``CREATE DATABASE``, so it loads into any database). Its row counts and
migrations are read from the dump stream itself (see ``mysql_counts``). A restore
loads the dump into a scratch database first and then swaps it in (see ``mysql_swap``);
a restore test loads it into a scratch database that it drops afterwards.
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections

from prodready_backup.connecting import connect
from prodready_backup.errors import DumpError, RestoreError
from prodready_backup.scratch import scratch_name
from prodready_backup.targets.base import DatabaseTarget, Dump, Facts, RestoreTest
from prodready_backup.targets.mysql_catalog import base_tables, quote
from prodready_backup.targets.mysql_client import client_tool, dump_tool, options_file
from prodready_backup.targets.mysql_counts import DumpCounter
from prodready_backup.targets.mysql_swap import swap_in
from prodready_backup.targets.processes import end_dump, feed, stream, tail, widen_pipe

DUMP_OPTIONS = [
    "--single-transaction",  # one consistent InnoDB snapshot, no table locks
    "--quick",  # rows streamed, not buffered in the tool's memory
    "--routines",
    "--triggers",
    "--events",
    "--hex-blob",
    "--no-tablespaces",  # needs no PROCESS privilege; Django creates no tablespaces
    "--default-character-set=utf8mb4",
    "--skip-dump-date",
]


class MysqlTarget(DatabaseTarget):
    engine = "mysql"

    def _settings(self) -> dict[str, Any]:
        return dict(connections[self.alias].settings_dict)

    def _database(self) -> str:
        options = self._settings().get("OPTIONS") or {}
        return str(options.get("database", options.get("db", self._settings()["NAME"])))

    def connect(self, database: str | None = None) -> Any:
        """A connection of our own, in autocommit (DDL commits anyway)."""
        return connect(self.alias, f"the database of {self.name}", database, autocommit=True)

    # Dump -------------------------------------------------------------------------------

    @contextmanager
    def open_dump(self) -> Iterator[Dump]:
        database = self._database()
        connection = self.connect()
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT VERSION()")
                version = cursor.fetchone()[0]
        finally:
            connection.close()
        facts = Facts(server_version=version, database=database)
        stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally clause
        process = None
        try:
            with options_file(self._settings()) as login:
                tool = dump_tool()
                command = [tool, f"--defaults-extra-file={login}", *DUMP_OPTIONS, database]
                try:
                    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr)
                except OSError as exc:
                    raise DumpError(
                        f"{tool} could not be started ({exc}); install the MySQL/MariaDB "
                        "client tools or set PRODREADY_BACKUP_MYSQLDUMP to the dump tool's path."
                    ) from exc
                widen_pipe(process.stdout)
                counter = DumpCounter(facts)
                yield Dump(counter.through(stream(process, stderr, tool)), facts)
        finally:
            end_dump(process)
            stderr.close()

    # Restore ----------------------------------------------------------------------------

    def restore(self, chunks: Iterable[bytes]) -> None:
        """Load the dump into a scratch database, then swap its tables in at once."""
        connections[self.alias].close()  # its open transactions would hold metadata locks
        with self._scratch() as scratch:
            self._load(chunks, scratch)
            swap_in(self.connect, self._database(), scratch)

    def current_facts(self) -> Facts:
        return self._facts(self._database())

    def restore_test(self, chunks: Iterable[bytes]) -> RestoreTest:
        with self._scratch() as scratch:
            self._load(chunks, scratch)
            facts = self._facts(scratch)
        return RestoreTest(row_counts=facts.row_counts, migrations=facts.migrations)

    @contextmanager
    def _scratch(self) -> Iterator[str]:
        """A new, empty database on the target's server, dropped when left."""
        name = scratch_name()
        admin = self.connect()
        try:
            try:
                with admin.cursor() as cursor:
                    cursor.execute(f"CREATE DATABASE {quote(name)} CHARACTER SET utf8mb4")
            except Exception as exc:
                raise RestoreError(
                    f"The restore needs a scratch database and could not create one ({exc}); "
                    f"grant CREATE and DROP on `{scratch_name_prefix()}%`.* to the database "
                    f"user of {self.alias!r}."
                ) from exc
            try:
                yield name
            finally:
                with admin.cursor() as cursor:
                    cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)}")
        finally:
            admin.close()

    def _load(self, chunks: Iterable[bytes], database: str) -> None:
        stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed on every path below
        process = None
        try:
            with options_file(self._settings()) as login:
                tool = client_tool()
                command = [
                    *(tool, f"--defaults-extra-file={login}", "--binary-mode"),
                    *("--default-character-set=utf8mb4", f"--database={database}"),
                ]
                try:
                    process = subprocess.Popen(
                        command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=stderr
                    )
                except OSError as exc:
                    raise RestoreError(
                        f"{tool} could not be started ({exc}); install the MySQL/MariaDB client "
                        "or set PRODREADY_BACKUP_MYSQL to its path."
                    ) from exc
                feed(process, chunks)
                if process.wait() != 0:
                    raise RestoreError(
                        f"Loading the dump failed ({tool} exit status {process.returncode}); "
                        f"the database was not touched: {tail(stderr)}"
                    )
        finally:
            if process is not None:
                if process.poll() is None:
                    process.kill()  # the data went bad mid-stream: only the scratch has it
                    process.wait()
                with contextlib.suppress(BrokenPipeError):
                    process.stdin.close()  # type: ignore[union-attr]
            stderr.close()

    def _facts(self, database: str) -> Facts:
        connection = self.connect(database)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT VERSION()")
                version = cursor.fetchone()[0]
                counts = {table: _count(cursor, table) for table in base_tables(cursor, database)}
                migrations: list[str] = []
                if "django_migrations" in counts:
                    cursor.execute("SELECT CONCAT(app, '.', name) FROM django_migrations")
                    migrations = sorted(row[0] for row in cursor.fetchall())
        finally:
            connection.close()
        return Facts(
            server_version=version, database=database, migrations=migrations, row_counts=counts
        )


def scratch_name_prefix() -> str:
    from prodready_backup.conf import conf

    return conf.BACKUP_VERIFY_PREFIX


def _count(cursor: Any, table: str) -> int:
    cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
    return int(cursor.fetchone()[0])
