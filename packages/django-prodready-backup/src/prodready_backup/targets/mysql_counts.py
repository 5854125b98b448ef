"""Row counts and applied migrations read from a mysqldump stream as it passes.

MySQL cannot share mysqldump's ``--single-transaction`` snapshot with another session
(PostgreSQL's ``pg_export_snapshot``), so counting on a connection of our own would read
another moment of a busy database. The dump itself is that snapshot. Its
``INSERT INTO `t` VALUES (...),(...);`` statements hold whole rows, on one line
(mysqldump) or one row a line (mariadb-dump); string literals are quoted with backslash
escapes, so no line break falls inside one, and with ``--hex-blob`` no other value holds
a parenthesis: each ``(`` outside the strings starts a row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from prodready_backup.targets.base import Facts

_INSERT = re.compile(rb"INSERT INTO `((?:[^`]|``)+)` VALUES ?")
_CREATE = re.compile(rb"CREATE TABLE `((?:[^`]|``)+)` \(")
_STRING = re.compile(rb"'(?:[^'\\]|\\.)*'", re.DOTALL)
# django_migrations' columns are (id, app, name, applied).
_MIGRATION = re.compile(rb"\(\d+,'((?:[^'\\]|\\.)*)','((?:[^'\\]|\\.)*)',")
_ESCAPES = {b"0": b"\0", b"n": b"\n", b"r": b"\r", b"t": b"\t", b"Z": b"\x1a"}


def _unescape(value: bytes) -> str:
    text = re.sub(rb"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), value)
    return text.decode()


class DumpCounter:
    """Counts the rows of each table in the SQL that :meth:`through` passes on."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self._rest = b""
        self._table: str | None = None  # the table of the INSERT being read

    def through(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        for chunk in chunks:
            lines = (self._rest + chunk).split(b"\n")
            self._rest = lines.pop()
            for line in lines:
                self._line(line)
            yield chunk
        self._line(self._rest)
        self._rest = b""
        self.facts.migrations.sort()

    def _line(self, line: bytes) -> None:
        if self._table is None:
            if line.startswith(b"CREATE TABLE `"):
                created = _CREATE.match(line)
                if created:  # a table without rows has no INSERT, and 0 rows
                    self.facts.row_counts.setdefault(_name(created.group(1)), 0)
                return
            found = _INSERT.match(line) if line.startswith(b"INSERT INTO `") else None
            if found is None:
                return
            self._table = _name(found.group(1))
            line = line[found.end() :]
        table = self._table
        if table == "django_migrations":
            self.facts.migrations += [
                f"{_unescape(app)}.{_unescape(name)}" for app, name in _MIGRATION.findall(line)
            ]
        values = _STRING.sub(b"''", line)
        self.facts.row_counts[table] = self.facts.row_counts.get(table, 0) + values.count(b"(")
        if values.rstrip().endswith(b";"):
            self._table = None


def _name(quoted: bytes) -> str:
    return quoted.replace(b"``", b"`").decode()
