"""Database connections for health checks, apart from the application's own.

A probe connection never borrows from the alias's pool and carries timeouts of its
own: a connect timeout, a per-query statement timeout (set by the check), and on
PostgreSQL and MySQL a socket timeout, so a blackholed server costs a check its
timeout instead of a thread for minutes.

Opening a PostgreSQL connection costs more than the probe's query, so one idle
connection per alias and process is kept between probes (``PRODREADY_HEALTH_REUSE_CONNECTIONS``).
It is dropped when it fails, when the alias's settings change, and when anyone
connects the alias to another database (as the test runner does to drop its test
database), so it never holds a database open that someone else means to drop.
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.db import DatabaseError, connections
from django.db.backends.base.base import NO_DB_ALIAS, BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.db.utils import load_backend

from prodready.conf import conf, derived_from

T = TypeVar("T")
NETWORK_VENDORS = frozenset({"postgresql", "mysql"})


def _new_wrapper(alias: str, timeout: float) -> BaseDatabaseWrapper:
    settings_dict = copy.deepcopy(connections.settings[alias])
    settings_dict["CONN_MAX_AGE"] = 0
    settings_dict["CONN_HEALTH_CHECKS"] = False
    options = settings_dict.setdefault("OPTIONS", {})
    options.pop("pool", None)  # psycopg's pool would open several connections per probe
    wrapper: BaseDatabaseWrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(
        settings_dict, alias
    )
    seconds = max(1, math.ceil(timeout))  # libpq and psycopg round anything below 2 up to 2
    if wrapper.vendor == "postgresql":
        options["connect_timeout"] = seconds
        # Unacknowledged data fails the socket after this long (libpq's tcp_user_timeout).
        options["tcp_user_timeout"] = seconds * 1000
    elif wrapper.vendor == "mysql":
        options.update(connect_timeout=seconds, read_timeout=seconds, write_timeout=seconds)
    elif wrapper.vendor == "sqlite":
        options["timeout"] = timeout
    # Checks run in worker threads; a kept connection serves whichever thread probes next.
    wrapper.inc_thread_sharing()
    return wrapper


def _close(wrapper: BaseDatabaseWrapper) -> None:
    with contextlib.suppress(DatabaseError):  # a broken connection is gone either way
        wrapper.close()
    if wrapper.connection is not None:
        # Django's SQLite backend keeps in-memory databases open on close(); a probe's
        # own connection must go (a shared-cache database outlives it).
        wrapper.connection.close()


@contextmanager
def probe_connection(alias: str, timeout: float) -> Iterator[BaseDatabaseWrapper]:
    """A new connection to ``alias`` that gives up after about ``timeout`` s, closed on exit."""
    wrapper = _new_wrapper(alias, timeout)
    try:
        yield wrapper
    finally:
        _close(wrapper)


class _KeptConnections:
    """Idle probe connections, a few per alias and timeout (checks of one alias run at once)."""

    MAX_IDLE = 4

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: dict[tuple[str, int], list[tuple[str, BaseDatabaseWrapper]]] = {}
        self._retired = False

    def take(self, alias: str, timeout: float) -> BaseDatabaseWrapper | None:
        key, fingerprint = (alias, math.ceil(timeout)), repr(connections.settings[alias])
        with self._lock:
            idle = self._idle.get(key)
            found = idle.pop() if idle else None
        if found is None:
            return None
        if found[0] != fingerprint:  # the alias's settings changed since
            _close(found[1])
            return None
        return found[1]

    def give_back(self, alias: str, timeout: float, wrapper: BaseDatabaseWrapper) -> None:
        key, fingerprint = (alias, math.ceil(timeout)), repr(connections.settings[alias])
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if len(idle) < self.MAX_IDLE and not self._retired:
                idle.append((fingerprint, wrapper))
                return
        _close(wrapper)

    def count(self) -> int:
        with self._lock:
            return sum(len(idle) for idle in self._idle.values())

    def close(self, alias: str | None = None, keep_database: str | None = None) -> None:
        """Close the idle connections (of ``alias``; not those to ``keep_database``)."""
        closing = []
        with self._lock:
            for key, idle in self._idle.items():
                if alias not in (None, key[0]):
                    continue
                staying = [
                    entry for entry in idle if entry[1].settings_dict.get("NAME") == keep_database
                ]
                closing += [entry[1] for entry in idle if entry not in staying]
                idle[:] = staying
        for wrapper in closing:
            _close(wrapper)

    def retire(self) -> None:
        """Close every idle connection, and from now on each one given back."""
        with self._lock:
            self._retired = True
        self.close()


# Retired, not only dropped, when the settings change: a kept connection holds its
# database open (and a probe that took this pool before the change may still give one back).
@derived_from("DATABASES", "PRODREADY_HEALTH_REUSE_CONNECTIONS", on_forget=_KeptConnections.retire)
def kept() -> _KeptConnections:
    """This process's idle probe connections."""
    return _KeptConnections()


def on_probe_connection(alias: str, timeout: float, work: Callable[[BaseDatabaseWrapper], T]) -> T:
    """Run ``work`` on a probe connection to ``alias``: the kept one when there is one.

    A kept connection that fails (the server restarted, a proxy dropped it) is closed
    and ``work`` runs once more on a new connection, so only a failure of a fresh
    connection reaches the check.
    """
    if not _reusable(alias):
        with probe_connection(alias, timeout) as wrapper:
            return work(wrapper)
    reused = kept().take(alias, timeout)
    if reused is not None:
        try:
            result = work(reused)
        except DatabaseError:
            _close(reused)
        else:
            kept().give_back(alias, timeout, reused)
            return result
    wrapper = _new_wrapper(alias, timeout)
    try:
        result = work(wrapper)
    except BaseException:
        _close(wrapper)
        raise
    kept().give_back(alias, timeout, wrapper)
    return result


def on_probe_connection_orm(alias: str, timeout: float, work: Callable[[], T]) -> T:
    """Run ``work()`` with this thread's queries on ``alias`` (the ORM's too) over a probe
    connection, each under a statement timeout: for checks that read models.

    Called inside a transaction of the caller's own on ``alias``, ``work`` runs on the
    caller's connection instead, so it reads what that transaction sees.
    """
    if connections[alias].in_atomic_block:
        return work()

    def swapped(wrapper: BaseDatabaseWrapper) -> T:
        own = connections[alias]
        connections[alias] = wrapper
        try:
            with statement_timeout(wrapper, timeout):
                return work()
        finally:
            connections[alias] = own

    return on_probe_connection(alias, timeout, swapped)


@contextmanager
def statement_timeout(connection: BaseDatabaseWrapper, timeout: float) -> Iterator[None]:
    """Every statement in the block fails after ``timeout`` s; the block only reads.

    On PostgreSQL a ``SET LOCAL`` inside a transaction of our own (rolled back on exit):
    a pooler such as PgBouncer never hands the setting on, and it needs no startup
    parameter PgBouncer rejects. MySQL's probe connections carry a read timeout instead.
    """
    if connection.vendor != "postgresql":
        yield
        return
    connection.set_autocommit(False)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('statement_timeout', %s, true)",
                [f"{math.ceil(timeout * 1000)}"],
            )
        yield
    finally:
        connection.rollback()
        connection.set_autocommit(True)


def _reusable(alias: str) -> bool:
    if not conf.HEALTH_REUSE_CONNECTIONS:
        return False
    backend = load_backend(connections.settings[alias]["ENGINE"])
    return backend.DatabaseWrapper.vendor in NETWORK_VENDORS


def _connection_created(sender: object, connection: BaseDatabaseWrapper, **kwargs: object) -> None:
    # Databases are created and dropped (by the test runner, say) over a connection
    # to no database in particular, or to another database of the same alias; no
    # kept probe may hold the one being dropped.
    if connection.alias == NO_DB_ALIAS:
        kept().close()
    else:
        kept().close(connection.alias, keep_database=connection.settings_dict.get("NAME"))


connection_created.connect(_connection_created, weak=False)
atexit.register(kept.forget)
