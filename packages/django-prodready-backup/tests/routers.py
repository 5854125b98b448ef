"""A router that keeps the backup records in PostgreSQL, as on a site whose default
database is PostgreSQL (the test settings' default database is SQLite)."""

from __future__ import annotations

from typing import Any


class RecordsInPostgres:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return "postgres" if model._meta.app_label == "prodready_backup" else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return self.db_for_read(model)
