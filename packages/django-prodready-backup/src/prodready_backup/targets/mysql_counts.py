"""Row counts and applied migrations read from a mysqldump stream as it passes.

MySQL cannot share mysqldump's ``--single-transaction`` snapshot with another session
(PostgreSQL's ``pg_export_snapshot``), so counting on a connection of our own would read
another moment of a busy database. The dump itself is that snapshot. Its
``INSERT INTO `t` VALUES (...),(...);`` statements hold whole rows, on one line
(mysqldump) or one row a line (mariadb-dump). String literals are quoted with backslash
escapes, so no line break falls inside one: in mariadb-dump's form each line that starts
with ``(`` is a row. In mysqldump's, with ``--hex-blob`` no value but a string holds a
parenthesis: each ``(`` outside the strings starts a row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from prodready_backup.targets.base import Facts

# At a line start (no raw line break falls inside a string literal).
_STATEMENT = re.compile(
    rb"^(?:INSERT INTO `(?P<table>(?:[^`]|``)+)` VALUES"
    rb"|CREATE TABLE `(?P<created>(?:[^`]|``)+)` \()",
    re.MULTILINE,
)
_STRING = re.compile(rb"'[^'\\]*(?:\\.[^'\\]*)*'", re.DOTALL)
# django_migrations' columns are (id, app, name, applied).
_MIGRATION = re.compile(rb"\(\d+,'((?:[^'\\]|\\.)*)','((?:[^'\\]|\\.)*)',")
_ESCAPES = {b"0": b"\0", b"n": b"\n", b"r": b"\r", b"t": b"\t", b"Z": b"\x1a"}


def _unescape(value: bytes) -> str:
    text = re.sub(rb"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), value)
    return text.decode()


class DumpCounter:
    """Counts the rows of each table in the SQL that :meth:`through` passes on.

    Whole lines are scanned a block at a time with regular expressions (a statement's
    end is the ``;`` that ends a line), so the cost stays a small share of the dump's.
    """

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self._rest = b""
        self._table: str | None = None  # the table of an INSERT that goes on

    def through(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        for chunk in chunks:
            data = self._rest + chunk
            cut = data.rfind(b"\n") + 1
            self._rest = data[cut:]
            if cut:
                self._scan(data[:cut])
            yield chunk
        if self._rest:
            self._scan(self._rest + b"\n")
        self._rest = b""
        self.facts.migrations.sort()

    def _scan(self, block: bytes) -> None:
        """Count the rows in ``block``, whole lines of the dump."""
        position = 0
        while True:
            if self._table is None:
                found = _STATEMENT.search(block, position)
                if found is None:
                    return
                position = found.end()
                if found.group("created") is not None:  # no INSERT: 0 rows
                    self.facts.row_counts.setdefault(_name(found.group("created")), 0)
                    continue
                self._table = _name(found.group("table"))
            end = block.find(b";\n", position)
            self._rows(self._table, block[position : len(block) if end < 0 else end])
            if end < 0:
                return  # the INSERT goes on in the next block
            self._table = None
            position = end + 2

    def _rows(self, table: str, values: bytes) -> None:
        if table == "django_migrations":
            self.facts.migrations += [
                f"{_unescape(app)}.{_unescape(name)}" for app, name in _MIGRATION.findall(values)
            ]
        if b"\n" in values:  # mariadb-dump: each row starts a line
            rows = values.count(b"\n(") + values.startswith(b"(")
        else:  # mysqldump: one line; each "(" outside the strings starts a row
            rows = _STRING.sub(b"", values).count(b"(")
        self.facts.row_counts[table] = self.facts.row_counts.get(table, 0) + rows


def _name(quoted: bytes) -> str:
    return quoted.replace(b"``", b"`").decode()
