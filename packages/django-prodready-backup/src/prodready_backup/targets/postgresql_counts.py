"""Row counts of a PostgreSQL restore, read from the ``COPY n`` tags psql prints.

psql runs pg_restore's SQL with ``--echo-queries``: each statement is printed before it
runs and its command tag after, so the table of each ``COPY n`` tag is named by the
``COPY schema.table (columns) FROM stdin;`` printed just before it (the rows, read from
stdin, are not printed). pg_dump quotes every name that is not plain lowercase ASCII,
and a line break in a name falls inside its quotes: an odd number of ``"`` means the
statement goes on in the next line.

A tag proves the rows a table received, so the counts need no second pass over the
data. What it cannot prove is counted with ``count(*)`` after the commit, as before:
a table with no tag or more than one (text in another statement that looks like a
``COPY``), and a table whose ``count(*)`` includes other tables' rows (a partitioned
table, a parent of inheritance children).
"""

from __future__ import annotations

import logging
import re
from typing import IO, Any

logger = logging.getLogger(__name__)

#: No statement pg_restore writes is longer than this before the end of a COPY's names
#: (at most 1,600 columns of 63 bytes, each quoted); longer echoed text is skipped.
_STATEMENT_LIMIT = 1024 * 1024
_LINE_LIMIT = 64 * 1024

_NAME = rb'(?:"(?:[^"]|"")*"|[^"\s.()]+)'
_COPY = re.compile(
    rb"COPY (?P<schema>" + _NAME + rb")\.(?P<table>" + _NAME + rb") (?:\(.*\))? ?FROM stdin;",
    re.DOTALL,
)
_TAG = re.compile(rb"COPY (\d+)\n?")


class CopyTags:
    """The rows each table received, read from psql's echoed output as it streams."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], int] = {}
        #: Tables that more than one tag named: their counts are not to be trusted.
        self.repeated: set[tuple[str, str]] = set()
        self._statement: bytes | None = None  # an echoed COPY statement awaiting its tag

    def read(self, output: IO[bytes]) -> None:
        """Read psql's output to its end, a line (or a bounded piece of one) at a time.

        Whatever goes wrong, the output is read to its end: psql would wait, the
        restore with it, for a reader that stopped.
        """
        trusted = True
        while line := output.readline(_LINE_LIMIT):
            if trusted:
                try:
                    self.line(line)
                except Exception:
                    logger.exception("Reading psql's COPY tags failed; every table is counted")
                    trusted = False
                    self.counts.clear()

    def line(self, line: bytes) -> None:
        statement = self._statement
        if statement is not None and statement.count(b'"') % 2:  # inside a quoted name
            statement += line
            self._statement = statement if len(statement) <= _STATEMENT_LIMIT else None
            return
        tag = _TAG.fullmatch(line)
        if tag is not None:
            if statement is not None:
                self._tagged(statement.rstrip(b"\n"), int(tag.group(1)))
            self._statement = None
        elif line.startswith(b"COPY "):
            self._statement = line
        else:
            self._statement = None

    def _tagged(self, statement: bytes, rows: int) -> None:
        found = _COPY.fullmatch(statement)
        if found is None:
            return
        try:
            table = (_unquote(found.group("schema")), _unquote(found.group("table")))
        except UnicodeDecodeError:
            return  # counted after the commit instead
        if table in self.counts:
            self.repeated.add(table)
        self.counts[table] = rows


def restored_row_counts(cursor: Any, tags: CopyTags) -> tuple[dict[str, int], list[str]]:
    """Every table's rows after the restore, labelled as in the manifest, and the tables
    that had to be counted."""
    cursor.execute(
        "SELECT n.nspname, c.relname, c.relkind = 'r' AND NOT EXISTS "
        "(SELECT 1 FROM pg_catalog.pg_inherits i WHERE i.inhparent = c.oid) "
        "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
        "ORDER BY 1, 2"
    )
    counts: dict[str, int] = {}
    counted: list[str] = []
    for schema, table, alone in cursor.fetchall():
        label = table_label(schema, table)
        rows = tags.counts.get((schema, table))
        if rows is None or not alone or (schema, table) in tags.repeated:
            rows = count_rows(cursor, schema, table)
            counted.append(label)
        counts[label] = rows
    return counts, counted


def count_rows(cursor: Any, schema: str, table: str) -> int:
    cursor.execute(f"SELECT count(*) FROM {quote(schema)}.{quote(table)}")
    rows: int = cursor.fetchone()[0]
    return rows


def table_label(schema: str, table: str) -> str:
    """A table's name in a manifest's row counts."""
    return table if schema == "public" else f"{schema}.{table}"


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _unquote(name: bytes) -> str:
    if name.startswith(b'"'):
        name = name[1:-1].replace(b'""', b'"')
    return name.decode()
