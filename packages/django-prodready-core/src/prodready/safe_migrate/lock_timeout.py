"""Lock-queue protection: migrations give up waiting for a lock instead of queueing.

An ``ALTER TABLE`` waiting for its lock behind a long transaction blocks every query
that comes after it, so a migration stuck for minutes takes the site down. With
PostgreSQL's ``lock_timeout`` it fails after ``PRODREADY_MIGRATE_LOCK_TIMEOUT`` seconds
and the queue behind it drains; ``migrate`` then retries it (``PRODREADY_MIGRATE_LOCK_RETRIES``
times, pausing 1, 2, 4 ... seconds), which is safe because the failed migration's
transaction rolled back. Other databases are left as they are.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper

LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for a lock_timeout


@contextmanager
def lock_timeout(connection: BaseDatabaseWrapper, seconds: float) -> Iterator[None]:
    """Statements on ``connection`` wait at most ``seconds`` for a lock (0: no limit)."""
    if connection.vendor != "postgresql" or seconds <= 0:
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


def timed_out(exc: BaseException) -> bool:
    """Whether ``exc`` is a statement that gave up waiting for a lock."""
    if not isinstance(exc, DatabaseError):
        return False
    cause = exc.__cause__
    code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return code == LOCK_NOT_AVAILABLE
