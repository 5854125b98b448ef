"""What a MySQL/MariaDB database holds, named safely in SQL."""

from __future__ import annotations

from typing import Any


def quote(identifier: str) -> str:
    return "`" + identifier.replace("`", "``") + "`"


def base_tables(cursor: Any, database: str) -> list[str]:
    cursor.execute(
        "SELECT TABLE_NAME FROM information_schema.TABLES "
        "WHERE TABLE_SCHEMA = %s AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
        [database],
    )
    return [row[0] for row in cursor.fetchall()]
