"""Swapping a loaded scratch database into the live one, as atomically as MySQL allows.

MySQL has no transactional DDL, so a restore cannot be one transaction as on PostgreSQL.
What it can do in one step is ``RENAME TABLE`` of many tables: the statement is atomic
(every rename happens or none does) and other sessions wait for it, then see the new
tables. So a restore

1. loads the dump into a scratch database (any failure there leaves the live database
   untouched: the scratch database is dropped);
2. drops the live tables' triggers and the scratch tables' (``RENAME TABLE`` cannot
   move a table with triggers to another database);
3. in one ``RENAME TABLE``, moves every live table out to a trash database and every
   restored table in: the tables and their rows are the backup's, all of them, and no
   table the backup does not hold stays (foreign keys follow their tables);
4. replaces the views, triggers, routines and events with the backup's, one statement
   each, then drops the trash database.

If step 3 fails, the dropped triggers are created again and the database is as it was.
A failure in step 4 is reported with what is missing; the tables are then already the
backup's, and the safety backup taken before the restore still holds the previous state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from prodready_backup.errors import RestoreError
from prodready_backup.scratch import scratch_name
from prodready_backup.targets.mysql_catalog import base_tables, quote


@dataclass
class Objects:
    """What a database holds besides its tables: (sql_mode, CREATE statement) by name."""

    tables: list[str] = field(default_factory=list)
    views: dict[str, tuple[str, str]] = field(default_factory=dict)
    triggers: dict[str, tuple[str, str]] = field(default_factory=dict)
    routines: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    events: dict[str, tuple[str, str]] = field(default_factory=dict)


def read_objects(cursor: Any, database: str) -> Objects:
    """Every object of ``database``; the cursor's current database must be it, so that the
    views' definitions name their tables without the database."""
    found = Objects(tables=base_tables(cursor, database))
    cursor.execute(
        "SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = %s", [database]
    )
    for (name,) in cursor.fetchall():
        cursor.execute(f"SHOW CREATE VIEW {quote(name)}")
        found.views[name] = ("", cursor.fetchone()[1])
    cursor.execute(
        "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = %s",
        [database],
    )
    for (name,) in cursor.fetchall():
        cursor.execute(f"SHOW CREATE TRIGGER {quote(name)}")
        row = cursor.fetchone()
        found.triggers[name] = (row[1], row[2])
    cursor.execute(
        "SELECT ROUTINE_TYPE, ROUTINE_NAME FROM information_schema.ROUTINES "
        "WHERE ROUTINE_SCHEMA = %s AND ROUTINE_TYPE IN ('PROCEDURE', 'FUNCTION')",
        [database],
    )
    for kind, name in cursor.fetchall():
        cursor.execute(f"SHOW CREATE {kind} {quote(name)}")
        row = cursor.fetchone()
        found.routines[(kind, name)] = (row[1], row[2])
    cursor.execute(
        "SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = %s", [database]
    )
    for (name,) in cursor.fetchall():
        cursor.execute(f"SHOW CREATE EVENT {quote(name)}")
        row = cursor.fetchone()
        found.events[name] = (row[1], row[3])
    return found


def swap_in(connect: Callable[[str], Any], live: str, scratch: str) -> None:
    """Make ``live`` hold what ``scratch`` holds; ``connect(database)`` opens a connection."""
    restored_connection = connect(scratch)
    try:
        with restored_connection.cursor() as cursor:
            restored = read_objects(cursor, scratch)
            for name in restored.triggers:
                cursor.execute(f"DROP TRIGGER {quote(name)}")
    finally:
        restored_connection.close()
    trash = scratch_name()
    connection = connect(live)
    try:
        with connection.cursor() as cursor:
            current = read_objects(cursor, live)
            cursor.execute(f"CREATE DATABASE {quote(trash)}")
            try:
                _swap_tables(cursor, live, scratch, trash, current, restored)
                _replace_objects(cursor, current, restored)
            finally:
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(trash)}")
    finally:
        connection.close()


def _swap_tables(
    cursor: Any, live: str, scratch: str, trash: str, current: Objects, restored: Objects
) -> None:
    for name in current.triggers:
        cursor.execute(f"DROP TRIGGER {quote(name)}")
    # Out first: the restored tables' foreign key names are free once the old ones left.
    renames = [_move(t, live, trash) for t in current.tables]
    renames += [_move(t, scratch, live) for t in restored.tables]
    try:
        if renames:
            cursor.execute("RENAME TABLE " + ", ".join(renames))
    except Exception as exc:
        _create(cursor, current.triggers.values())
        raise RestoreError(
            f"Swapping the restored tables in failed ({exc}); the database was not changed."
        ) from exc


def _move(table: str, source: str, destination: str) -> str:
    return f"{quote(source)}.{quote(table)} TO {quote(destination)}.{quote(table)}"


def _replace_objects(cursor: Any, current: Objects, restored: Objects) -> None:
    try:
        for name in current.views:
            cursor.execute(f"DROP VIEW IF EXISTS {quote(name)}")
        for kind, name in current.routines:
            cursor.execute(f"DROP {kind} IF EXISTS {quote(name)}")
        for name in current.events:
            cursor.execute(f"DROP EVENT IF EXISTS {quote(name)}")
        _create_views(cursor, list(restored.views.values()))
        _create(cursor, restored.triggers.values())
        _create(cursor, restored.routines.values())
        _create(cursor, restored.events.values())
    except Exception as exc:
        raise RestoreError(
            f"The tables were restored, but recreating the backup's views, triggers, routines "
            f"and events failed ({exc}); restore the safety backup to go back, or this backup "
            "again."
        ) from exc


def _create(cursor: Any, definitions: Any) -> None:
    for sql_mode, statement in definitions:
        cursor.execute("SET SESSION sql_mode = %s", [sql_mode])
        cursor.execute(statement)


def _create_views(cursor: Any, pending: list[tuple[str, str]]) -> None:
    """Views in an order their dependencies allow: those that fail wait for the next round."""
    while pending:
        failed: list[tuple[str, str]] = []
        error: Exception | None = None
        for definition in pending:
            try:
                _create(cursor, [definition])
            except Exception as exc:
                failed.append(definition)
                error = exc
        if len(failed) == len(pending):
            raise RestoreError(f"Creating {len(failed)} view(s) failed: {error}")
        pending = failed
