"""SQL in query breadcrumbs and database spans: literals replaced, parameters dropped."""

from __future__ import annotations

from typing import Any

from prodready_observability.scrub import FILTERED, scrub_sql

QUERY_CATEGORY = "query"
PARAMS_KEY = "db.params"


def scrub_query_breadcrumb(crumb: dict[str, Any]) -> None:
    if crumb.get("category") == QUERY_CATEGORY:
        _scrub_statement(crumb, "message")


def scrub_database_span(span: dict[str, Any]) -> None:
    op = span.get("op")
    if isinstance(op, str) and (op == "db" or op.startswith("db.sql")):
        _scrub_statement(span, "description")


def _scrub_statement(item: dict[str, Any], text_key: str) -> None:
    statement = item.get(text_key)
    if isinstance(statement, str):
        item[text_key] = scrub_sql(statement)
    data = item.get("data")
    if isinstance(data, dict) and data.get(PARAMS_KEY) is not None:
        data[PARAMS_KEY] = FILTERED
