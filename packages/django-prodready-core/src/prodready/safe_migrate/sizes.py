"""Table sizes read from the database's catalogue, never counted.

PostgreSQL: ``pg_class.reltuples`` (the planner's estimate, kept by autovacuum and
ANALYZE) and ``pg_total_relation_size``; MySQL: ``information_schema.TABLES``; SQLite:
``sqlite_stat1`` when ANALYZE has run. A table never analysed has no known row count.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.backends.base.base import BaseDatabaseWrapper


@dataclass(frozen=True)
class TableSize:
    rows: int | None  # None: the catalogue does not know (never analysed)
    bytes: int | None

    def describe(self) -> str:
        if self.rows is None:
            rows = "unknown rows (never analysed; run ANALYZE)"
        else:
            rows = f"~{self.rows:,} rows"
        if self.bytes is None:
            return rows
        return f"{rows}, {_human(self.bytes)}"


def _human(size: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1024:
            return f"{size:.0f} {unit}"
        size /= 1024
    return f"{size:.0f} TB"


def table_sizes(connection: BaseDatabaseWrapper, tables: set[str]) -> dict[str, TableSize]:
    """The size of each of ``tables`` that exists in the database."""
    if not tables:
        return {}
    names = sorted(tables)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, c.reltuples, pg_total_relation_size(c.oid) "
                "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p') AND c.relname = ANY(%s) "
                "AND n.nspname = ANY(current_schemas(false))",
                [names],
            )
            return {
                name: TableSize(rows=int(rows) if rows >= 0 else None, bytes=int(size))
                for name, rows, size in cursor.fetchall()
            }
        if connection.vendor == "mysql":
            placeholders = ", ".join(["%s"] * len(names))
            cursor.execute(
                "SELECT TABLE_NAME, TABLE_ROWS, DATA_LENGTH + INDEX_LENGTH "
                "FROM information_schema.TABLES "
                f"WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ({placeholders})",
                names,
            )
            return {
                name: TableSize(rows=_int(rows), bytes=_int(size))
                for name, rows, size in cursor.fetchall()
            }
        existing = set(connection.introspection.table_names(cursor)) & tables
        rows_by_table: dict[str, int] = {}
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone():
            cursor.execute("SELECT tbl, MAX(CAST(stat AS INTEGER)) FROM sqlite_stat1 GROUP BY tbl")
            rows_by_table = {tbl: int(rows) for tbl, rows in cursor.fetchall()}
        return {name: TableSize(rows=rows_by_table.get(name), bytes=None) for name in existing}


def _int(value: object) -> int | None:
    return None if value is None else int(str(value))
