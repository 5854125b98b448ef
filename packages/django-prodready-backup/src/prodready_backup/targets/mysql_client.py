"""The MySQL/MariaDB command-line tools: which ones, and how they log in.

Credentials go in a private option file (``--defaults-extra-file``, mode 0600, removed
afterwards), never on the command line, where ``ps`` shows them to every local user,
nor in ``MYSQL_PWD``, which MySQL deprecates for the same reason.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prodready_backup.conf import conf
from prodready_backup.errors import Problem


def dump_tool() -> str:
    return conf.BACKUP_MYSQLDUMP or _first_on_path("mariadb-dump", "mysqldump")


def client_tool() -> str:
    return conf.BACKUP_MYSQL or _first_on_path("mariadb", "mysql")


def _first_on_path(preferred: str, other: str) -> str:
    return preferred if shutil.which(preferred) else other


def missing_tools() -> Problem | None:
    """The error ``prodready_backup.E013``: a MySQL tool the backups need is not found."""
    missing = [
        (setting, tool)
        for setting, tool in (("BACKUP_MYSQLDUMP", dump_tool()), ("BACKUP_MYSQL", client_tool()))
        if shutil.which(tool) is None
    ]
    if not missing:
        return None
    names = ", ".join(f"{tool!r} (PRODREADY_{setting})" for setting, tool in missing)
    return Problem(
        id="prodready_backup.E013",
        message=f"A MySQL/MariaDB database is backed up, but {names} is not an executable "
        "found on PATH.",
        hint="Install the client tools of the server's version (Debian: apt-get install "
        "mariadb-client, or mysql-client), or set the setting to the tool's full path.",
    )


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@contextmanager
def options_file(settings: dict[str, Any]) -> Iterator[str]:
    """A private option file with the ``[client]`` login of a DATABASES entry."""
    options = settings.get("OPTIONS") or {}
    host = str(options.get("host", settings.get("HOST") or ""))
    lines = ["[client]"]
    values = {
        "user": options.get("user", settings.get("USER")),
        "password": options.get("password", options.get("passwd", settings.get("PASSWORD"))),
        "socket" if host.startswith("/") else "host": host,
        "port": options.get("port", settings.get("PORT")),
        "ssl-ca": (options.get("ssl") or {}).get("ca"),
        "ssl-cert": (options.get("ssl") or {}).get("cert"),
        "ssl-key": (options.get("ssl") or {}).get("key"),
    }
    lines += [f"{name}={_quote(str(value))}" for name, value in values.items() if value]
    if options.get("read_default_file"):
        lines.insert(0, f"!include {options['read_default_file']}")
    handle, path = tempfile.mkstemp(prefix=".prodready-mysql-", suffix=".cnf")  # mode 0600
    try:
        with os.fdopen(handle, "w") as file:
            file.write("\n".join(lines) + "\n")
        yield path
    finally:
        os.unlink(path)
