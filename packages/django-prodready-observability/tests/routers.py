"""The request history's tables on PostgreSQL, for the tests that use a real one."""

from __future__ import annotations

from typing import Any


class HistoryInPostgres:
    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        return "postgres" if model._meta.app_label == "prodready_observability" else None

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        return self.db_for_read(model)
