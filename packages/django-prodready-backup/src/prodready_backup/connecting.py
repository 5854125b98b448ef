"""Connections of our own to a database, with one clear sentence when it cannot be reached.

The dump, the restore test and the lock open connections beside Django's
(``get_new_connection``), which raise the driver's own errors: an unreachable server is
turned into a :class:`~prodready_backup.errors.DatabaseUnreachable`, which names the
database and the cause on one line and which the Celery tasks retry with backoff.
"""

from __future__ import annotations

from typing import Any

from django.db import connections

from prodready_backup.errors import DatabaseUnreachable


def connect(alias: str, what: str, database: str | None = None, autocommit: bool = False) -> Any:
    """A new DB-API connection to ``alias`` (or its server's ``database``).

    ``what`` names the database for an operator ("the database of db-default").
    """
    wrapper: Any = connections[alias]  # its driver module, ``Database``, is untyped
    params = wrapper.get_connection_params()
    mysql = wrapper.vendor == "mysql"
    if database is not None:
        params["database" if mysql else "dbname"] = database
    try:
        connection = wrapper.get_new_connection(params)
    except (wrapper.Database.OperationalError, wrapper.Database.InterfaceError) as exc:
        raise unreachable(alias, what, exc) from exc
    if mysql:
        connection.autocommit(autocommit)  # a method in mysqlclient
    else:
        connection.autocommit = autocommit
    return connection


def unreachable(alias: str, what: str, exc: BaseException) -> DatabaseUnreachable:
    settings = connections[alias].settings_dict
    where = settings.get("HOST") or "local socket"
    if settings.get("PORT"):
        where = f"{where}:{settings['PORT']}"
    cause = " ".join(str(exc).split()) or type(exc).__name__
    return DatabaseUnreachable(f"Cannot connect to {what} ({where}): {cause}")
