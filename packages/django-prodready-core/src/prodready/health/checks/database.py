"""Database aliases: a ``SELECT 1`` over a probe connection, bounded by timeouts."""

from __future__ import annotations

import math

from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from prodready.health.base import HealthCheck, HealthCheckError
from prodready.health.probes import on_probe_connection, probe_connection, statement_timeout

__all__ = ["DatabaseCheck", "configured_aliases", "probe_connection"]

DUMMY_ENGINE = "django.db.backends.dummy"


def configured_aliases() -> list[str]:
    """Database aliases with a real engine (Django fills an empty DATABASES with a dummy)."""
    return [alias for alias, db in connections.settings.items() if db["ENGINE"] != DUMMY_ENGINE]


class DatabaseCheck(HealthCheck):
    """The database answers a trivial query. Critical: without it nothing works."""

    def __init__(self, alias: str) -> None:
        self.alias = alias
        self.name = f"database:{alias}"

    def check(self) -> str | None:
        timeout = self.effective_timeout()
        connected = False

        def probe(connection: BaseDatabaseWrapper) -> None:
            nonlocal connected
            connected = False
            connection.ensure_connection()
            connected = True
            _select_one(connection, timeout)

        try:
            on_probe_connection(self.alias, timeout, probe)
        except DatabaseError as exc:
            failure = "the query failed" if connected else "could not connect"
            raise HealthCheckError(
                f"{failure} ({type(exc).__name__}); see the server log"
            ) from exc
        return None


def _select_one(connection: BaseDatabaseWrapper, timeout: float) -> None:
    if connection.vendor == "postgresql" and connection.get_autocommit():
        # One round trip instead of four (BEGIN, the timeout, the query, ROLLBACK): the
        # statements of one simple query run as one implicit transaction, so the SET
        # LOCAL ends with it and a pooler such as PgBouncer never hands it on.
        milliseconds = math.ceil(timeout * 1000)
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL statement_timeout = {milliseconds}; SELECT 1")
            if cursor.description is None:  # psycopg 3.2 stands on the first result
                cursor.nextset()
            cursor.fetchone()
        return
    with statement_timeout(connection, timeout), connection.cursor() as cursor:
        cursor.execute(f"SELECT 1{connection.features.bare_select_suffix}")
        cursor.fetchone()
