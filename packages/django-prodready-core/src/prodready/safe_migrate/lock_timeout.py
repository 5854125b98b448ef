"""Lock-queue protection: migrations give up waiting for a lock instead of queueing.

An ``ALTER TABLE`` waiting for its lock behind a long transaction blocks every query
that comes after it, so a migration stuck for minutes takes the site down. With
PostgreSQL's ``lock_timeout``, or MySQL's ``lock_wait_timeout`` (metadata locks, which
DDL waits for) and ``innodb_lock_wait_timeout`` (row locks), it fails after
``PRODREADY_MIGRATE_LOCK_TIMEOUT`` seconds (MySQL counts whole seconds: rounded up) and
the queue drains; ``migrate`` then retries it (``PRODREADY_MIGRATE_LOCK_RETRIES`` times,
pausing 1, 2, 4 ... seconds) when nothing of it was applied: on PostgreSQL its
transaction rolled back; on MySQL, which commits each DDL statement, only when the
statement that gave up was the first of the migration to change anything (see
:class:`Changes`). SQLite is left as it is.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper

LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for a lock_timeout
LOCK_WAIT_TIMEOUT = 1205  # MySQL's and MariaDB's ER_LOCK_WAIT_TIMEOUT
_MYSQL_VARIABLES = ("lock_wait_timeout", "innodb_lock_wait_timeout")
#: Statements that change nothing, whatever they return.
_READS = ("SELECT", "SHOW", "SET", "DESCRIBE", "DESC", "EXPLAIN", "ANALYZE")


@contextmanager
def lock_timeout(connection: BaseDatabaseWrapper, seconds: float) -> Iterator[None]:
    """Statements on ``connection`` wait at most ``seconds`` for a lock (0: no limit)."""
    if seconds <= 0 or connection.vendor not in ("postgresql", "mysql"):
        yield
        return
    if connection.vendor == "mysql":
        with _mysql_lock_timeout(connection, max(1, math.ceil(seconds))):
            yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('lock_timeout', %s, false)", [f"{round(seconds * 1000)}ms"]
        )
    try:
        yield
    finally:
        if connection.connection is not None and not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")


@contextmanager
def _mysql_lock_timeout(connection: BaseDatabaseWrapper, seconds: int) -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT @@SESSION.lock_wait_timeout, @@SESSION.innodb_lock_wait_timeout")
        before = cursor.fetchone()
        for variable in _MYSQL_VARIABLES:
            cursor.execute(f"SET SESSION {variable} = %s", [seconds])
    try:
        yield
    finally:
        if connection.connection is not None:
            with connection.cursor() as cursor:
                for variable, value in zip(_MYSQL_VARIABLES, before, strict=True):
                    cursor.execute(f"SET SESSION {variable} = %s", [value])


def timed_out(exc: BaseException) -> bool:
    """Whether ``exc`` is a statement that gave up waiting for a lock."""
    if not isinstance(exc, DatabaseError):
        return False
    cause = exc.__cause__
    code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if code == LOCK_NOT_AVAILABLE:
        return True
    args: tuple[object, ...] = getattr(cause, "args", ())
    return bool(args) and args[0] == LOCK_WAIT_TIMEOUT


class Changes:
    """Whether a statement that changes something succeeded since :meth:`reset`: an
    ``execute_wrapper`` for the migrating connection. On MySQL, which cannot roll DDL
    back, a migration that gave up on its first change left nothing behind."""

    def __init__(self) -> None:
        self.changed = False

    def reset(self) -> None:
        self.changed = False

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        result = execute(sql, params, many, context)
        words = str(sql).lstrip().split(None, 1)
        if not words or words[0].upper() not in _READS:
            self.changed = True
        return result
