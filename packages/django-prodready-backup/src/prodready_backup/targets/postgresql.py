"""PostgreSQL: ``pg_dump --format=custom`` streamed from the subprocess, ``pg_restore`` back.

The row counts and migrations in the manifest are read in the very snapshot pg_dump
dumps (``pg_export_snapshot()`` shared with ``pg_dump --snapshot``), so a verify can
compare exact numbers even on a busy database.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections

from prodready_backup.conf import conf
from prodready_backup.connecting import connect
from prodready_backup.errors import DumpError, RestoreError
from prodready_backup.scratch import scratch_alias, scratch_name
from prodready_backup.targets.base import DatabaseTarget, Dump, Facts, RestoreTest
from prodready_backup.targets.postgresql_counts import (
    CopyTags,
    count_rows,
    restored_row_counts,
    table_label,
)
from prodready_backup.targets.processes import end_dump, feed, stream, tail, widen_pipe


class PostgresTarget(DatabaseTarget):
    engine = "postgresql"

    # Connections and environment ------------------------------------------------------

    def _settings(self) -> dict[str, Any]:
        return dict(connections[self.alias].settings_dict)

    def _connect(self, database: str | None = None, autocommit: bool = False) -> Any:
        # A connection of our own: the snapshot transaction and DDL stay out of Django's.
        return connect(self.alias, f"the database of {self.name}", database, autocommit)

    def _env(self, database: str, alias: str | None = None) -> dict[str, str]:
        from django.db.backends.postgresql.client import DatabaseClient

        settings = dict(connections[alias or self.alias].settings_dict)
        _args, env = DatabaseClient.settings_to_cmd_args_env(settings, [])
        env = {**os.environ, **(env or {})}
        for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
            if settings.get(key):
                env[variable] = str(settings[key])
        env["PGDATABASE"] = database
        return env

    # Dump -------------------------------------------------------------------------------

    @contextmanager
    def open_dump(self) -> Iterator[Dump]:
        database = self._settings()["NAME"]
        connection = self._connect()
        process = None
        counting: _Counting | None = None
        stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally clause
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            command = [
                conf.BACKUP_PG_DUMP,
                "--format=custom",
                f"--snapshot={snapshot}",
                "--no-password",
                "--compress=0",  # compressed once, by the pipeline
            ]
            try:
                process = subprocess.Popen(
                    command, stdout=subprocess.PIPE, stderr=stderr, env=self._env(database)
                )
            except OSError as exc:
                raise DumpError(f"pg_dump could not be started ({exc}).") from exc
            widen_pipe(process.stdout)
            # The row counts read the same snapshot while pg_dump streams, not before it.
            counting = _Counting(connection, database)
            yield Dump(stream(process, stderr, "pg_dump", counting.result), counting.facts)
        finally:
            end_dump(process)
            if counting is not None:
                counting.join()
            stderr.close()
            connection.rollback()
            connection.close()

    # Restore ----------------------------------------------------------------------------

    def restore(self, chunks: Iterable[bytes]) -> dict[str, int]:
        """Make the database exactly what was backed up, in one transaction.

        ``pg_restore --clean`` drops only what the dump holds: a table created since the
        backup would survive it. So pg_restore writes SQL, and psql runs it in one
        transaction after dropping every object the database holds (see ``_EMPTY``).
        Returns the restored row counts, read from psql's ``COPY`` tags.
        """
        # Django's own connections would hold locks that DROP waits for.
        connections[self.alias].close()
        tags = _restore_exactly(chunks, self._env(self._settings()["NAME"]))
        connection = self._connect()
        try:
            with connection.cursor() as cursor:
                counts, _counted = restored_row_counts(cursor, tags)
        finally:
            connection.close()
        return counts

    def current_facts(self) -> Facts:
        connection = self._connect()
        try:
            with connection.cursor() as cursor:
                return _facts(cursor, self._settings()["NAME"])
        finally:
            connection.close()

    def restore_test(self, chunks: Iterable[bytes]) -> RestoreTest:
        server = scratch_alias(self.alias)
        scratch = scratch_name()
        what = f"the server of the restore test of {self.name}"
        admin = connect(server, what, autocommit=True)
        try:
            try:
                with admin.cursor() as cursor:
                    cursor.execute(f'CREATE DATABASE "{scratch}"')
            except Exception as exc:
                raise RestoreError(
                    f"The restore test needs a scratch database and could not create one "
                    f"({exc}); grant CREATEDB to the database user of {server!r}, or set "
                    "PRODREADY_BACKUP_VERIFY_DATABASE to an alias whose user has it."
                ) from exc
            try:
                _pg_restore(
                    ["--single-transaction", "--no-owner", "--exit-on-error"],
                    chunks,
                    self._env(scratch, server),
                )
                probe = connect(server, what, database=scratch)
                try:
                    with probe.cursor() as cursor:
                        facts = _facts(cursor, scratch)
                finally:
                    probe.close()
            finally:
                with admin.cursor() as cursor:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        finally:
            admin.close()
        return RestoreTest(row_counts=facts.row_counts, migrations=facts.migrations)


class _Counting:
    """The facts of the snapshot, read on its own connection in a thread beside pg_dump."""

    def __init__(self, connection: Any, database: str) -> None:
        self.facts = Facts(database=database)
        self.error: BaseException | None = None
        self._connection = connection
        self._thread = threading.Thread(target=self._run, name="prodready-backup-facts")
        self._thread.start()

    def _run(self) -> None:
        try:
            with self._connection.cursor() as cursor:
                found = _facts(cursor, self.facts.database)
            self.facts.server_version = found.server_version
            self.facts.migrations = found.migrations
            self.facts.row_counts = found.row_counts
        except BaseException as exc:  # re-raised in the streaming thread by join()
            self.error = exc

    def join(self) -> None:
        self._thread.join()

    def result(self) -> Facts:
        self.join()
        if self.error is not None:
            raise DumpError(
                f"Reading the row counts and migrations failed ({self.error})."
            ) from self.error
        return self.facts


def _pg_restore(options: list[str], chunks: Iterable[bytes], env: dict[str, str]) -> None:
    stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed on every path below
    try:
        process = subprocess.Popen(
            [conf.BACKUP_PG_RESTORE, *options, "--no-password", "--dbname", env["PGDATABASE"]],
            stdin=subprocess.PIPE,
            stderr=stderr,
            stdout=subprocess.DEVNULL,
            env=env,
        )
    except OSError as exc:
        stderr.close()
        raise RestoreError(f"pg_restore could not be started ({exc}).") from exc
    try:
        feed(process, chunks)  # pg_restore stopping early is told by its exit status
    except BaseException:
        # The data went bad mid-stream: stop pg_restore before it commits anything.
        process.kill()
        process.wait()
        stderr.close()
        raise
    code = process.wait()
    try:
        if code != 0:
            raise RestoreError(
                f"pg_restore failed (exit status {code}); nothing was committed: {tail(stderr)}"
            )
    finally:
        stderr.close()


#: Drops every schema but public (those the dump holds it creates again) and everything
#: in public, except what belongs to an extension (the dump recreates extensions) and the
#: sequences of identity and serial columns (they go with their tables).
_EMPTY = r"""
DO $prodready$
DECLARE
    item record;
BEGIN
    FOR item IN
        SELECT n.nspname FROM pg_catalog.pg_namespace n
        WHERE n.nspname <> 'public' AND n.nspname <> 'information_schema'
          AND n.nspname NOT LIKE 'pg\_%'
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                          WHERE d.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass
                            AND d.objid = n.oid AND d.deptype = 'e')
    LOOP
        EXECUTE pg_catalog.format('DROP SCHEMA IF EXISTS %I CASCADE', item.nspname);
    END LOOP;
    FOR item IN
        SELECT c.relname, CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
               WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END AS kind
        FROM pg_catalog.pg_class c
        WHERE c.relnamespace = 'public'::pg_catalog.regnamespace
          AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                          WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                            AND d.objid = c.oid AND d.deptype IN ('e', 'i', 'a'))
    LOOP
        EXECUTE pg_catalog.format('DROP %s IF EXISTS public.%I CASCADE', item.kind, item.relname);
    END LOOP;
    FOR item IN
        SELECT p.oid::pg_catalog.regprocedure::text AS signature FROM pg_catalog.pg_proc p
        WHERE p.pronamespace = 'public'::pg_catalog.regnamespace
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                          WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
                            AND d.objid = p.oid AND d.deptype = 'e')
    LOOP
        EXECUTE 'DROP ROUTINE IF EXISTS ' || item.signature || ' CASCADE';
    END LOOP;
    FOR item IN
        SELECT t.typname FROM pg_catalog.pg_type t
        WHERE t.typnamespace = 'public'::pg_catalog.regnamespace
          AND t.typtype IN ('c', 'd', 'e', 'r', 'm') AND t.typrelid = 0
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                          WHERE d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass
                            AND d.objid = t.oid AND d.deptype = 'e')
    LOOP
        EXECUTE pg_catalog.format('DROP TYPE IF EXISTS public.%I CASCADE', item.typname);
    END LOOP;
END
$prodready$;
"""


def _restore_exactly(chunks: Iterable[bytes], env: dict[str, str]) -> CopyTags:
    """pg_restore's SQL, after ``_EMPTY``, through psql in one transaction; the rows
    each table received, from the ``COPY`` tags psql prints (see ``postgresql_counts``).

    psql commits when its input ends, so it is killed, never let reach the end, when
    pg_restore or the data fails: its server session ends and the transaction with it.
    """
    stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed on every path below
    psql = restorer = reader = None
    tags = CopyTags()
    try:
        try:
            psql = subprocess.Popen(
                [conf.BACKUP_PSQL, "-X", "--echo-queries", "-v", "ON_ERROR_STOP=1",
                 "--single-transaction", "--no-password", "--dbname", env["PGDATABASE"]],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, env=env,
            )  # fmt: skip
            assert psql.stdin is not None
            reader = threading.Thread(
                target=tags.read, args=(psql.stdout,), name="prodready-backup-copy-tags"
            )
            reader.start()
            psql.stdin.write(_EMPTY.encode())
            psql.stdin.flush()
            restorer = subprocess.Popen(
                [conf.BACKUP_PG_RESTORE, "--clean", "--if-exists", "--no-owner", "--file=-"],
                stdin=subprocess.PIPE, stdout=psql.stdin, stderr=stderr, env=env,
            )  # fmt: skip
        except BrokenPipeError:
            pass  # psql stopped at once; its exit status says why
        except OSError as exc:
            raise RestoreError(
                f"{'pg_restore' if psql else 'psql'} could not be started ({exc})."
            ) from exc
        if restorer is not None:
            feed(restorer, chunks)
            if restorer.wait() != 0:
                raise RestoreError(
                    f"pg_restore failed (exit status {restorer.returncode}); nothing was "
                    f"committed: {tail(stderr)}"
                )
        assert psql is not None
        assert psql.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            psql.stdin.close()  # the end of the input: psql commits
        if psql.wait() != 0:
            raise RestoreError(
                f"Loading the restored data failed (psql exit status {psql.returncode}); "
                f"nothing was committed: {tail(stderr)}"
            )
        return tags  # once the reader has read psql's output to its end, below
    finally:
        # Before anything else ends psql's input: killed, it commits nothing.
        for process in (psql, restorer):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
        for process in (psql, restorer):
            if process is not None and process.stdin is not None:
                with contextlib.suppress(BrokenPipeError):
                    process.stdin.close()
        if reader is not None:
            reader.join()  # psql has ended: so has its output
        if psql is not None and psql.stdout is not None:
            psql.stdout.close()
        stderr.close()


def _facts(cursor: Any, database: str) -> Facts:
    cursor.execute("SHOW server_version")
    version = cursor.fetchone()[0]
    cursor.execute(
        "SELECT schemaname, tablename FROM pg_tables "
        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') "
        "ORDER BY schemaname, tablename"
    )
    counts: dict[str, int] = {}
    for schema, table in cursor.fetchall():
        counts[table_label(schema, table)] = count_rows(cursor, schema, table)
    migrations: list[str] = []
    if "django_migrations" in counts:
        cursor.execute("SELECT app || '.' || name FROM django_migrations ORDER BY 1")
        migrations = [row[0] for row in cursor.fetchall()]
    return Facts(
        server_version=version, database=database, migrations=migrations, row_counts=counts
    )
