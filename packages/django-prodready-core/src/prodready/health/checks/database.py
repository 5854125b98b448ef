"""Database aliases: a ``SELECT 1`` over a fresh connection, bounded by timeouts."""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend

from prodready.health.base import HealthCheck, HealthCheckError

DUMMY_ENGINE = "django.db.backends.dummy"


def configured_aliases() -> list[str]:
    """Database aliases with a real engine (Django fills an empty DATABASES with a dummy)."""
    return [alias for alias, db in connections.settings.items() if db["ENGINE"] != DUMMY_ENGINE]


@contextmanager
def probe_connection(alias: str, timeout: float) -> Iterator[BaseDatabaseWrapper]:
    """A new connection to ``alias`` that gives up connecting after about ``timeout`` s.

    It is separate from the alias's usual connection, so the timeouts never leak
    into application queries and the probe never borrows from a connection pool;
    it is closed on exit.
    """
    settings_dict = copy.deepcopy(connections.settings[alias])
    settings_dict["CONN_MAX_AGE"] = 0
    settings_dict["CONN_HEALTH_CHECKS"] = False
    options = settings_dict.setdefault("OPTIONS", {})
    options.pop("pool", None)  # psycopg's pool would open several connections per probe
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
    if wrapper.vendor in {"postgresql", "mysql"}:
        # Whole seconds; libpq and psycopg round anything below 2 up to 2.
        options["connect_timeout"] = max(1, math.ceil(timeout))
    elif wrapper.vendor == "sqlite":
        options["timeout"] = timeout
    try:
        yield wrapper
    finally:
        wrapper.close()
        if wrapper.connection is not None:
            # Django's SQLite backend keeps in-memory databases open on close(); this
            # probe's own connection must go (a shared-cache database outlives it).
            wrapper.connection.close()


class DatabaseCheck(HealthCheck):
    """The database answers a trivial query. Critical: without it nothing works."""

    def __init__(self, alias: str) -> None:
        self.alias = alias
        self.name = f"database:{alias}"

    def check(self) -> str | None:
        timeout = self.effective_timeout()
        with probe_connection(self.alias, timeout) as connection:
            try:
                connection.ensure_connection()
            except DatabaseError as exc:
                raise HealthCheckError(
                    f"could not connect ({type(exc).__name__}); see the server log"
                ) from exc
            try:
                _select_one(connection, timeout)
            except DatabaseError as exc:
                raise HealthCheckError(
                    f"the query failed ({type(exc).__name__}); see the server log"
                ) from exc
        return None


def _select_one(connection: BaseDatabaseWrapper, timeout: float) -> None:
    select_one = f"SELECT 1{connection.features.bare_select_suffix}"
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(select_one)
            cursor.fetchone()
        return
    # SET LOCAL inside a transaction of our own: a pooler such as PgBouncer never
    # hands the setting on, and it needs no startup parameter PgBouncer rejects.
    connection.set_autocommit(False)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('statement_timeout', %s, true)", [f"{math.ceil(timeout * 1000)}"]
        )
        cursor.execute(select_one)
        cursor.fetchone()
    connection.rollback()
