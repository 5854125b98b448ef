"""Which rules an operation breaks, judged from the project state before it runs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations import operations as ops
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState

# Functions PostgreSQL evaluates per row (VOLATILE): a default calling one rewrites the table.
VOLATILE_FUNCTIONS = {
    "random",
    "gen_random_uuid",
    "uuid_generate_v4",
    "clock_timestamp",
    "nextval",
}
SCHEMA_FREE = (ops.RunPython, ops.RunSQL)

Hit = tuple[str, str | None]
"""A rule id and the model (lower-cased name) whose table it concerns, if any."""


def hits(
    operation: Operation, state: ProjectState, app_label: str, connection: BaseDatabaseWrapper
) -> Iterator[Hit]:
    if isinstance(operation, ops.SeparateDatabaseAndState):
        for inner in operation.database_operations:
            yield from hits(inner, state, app_label, connection)
    elif isinstance(operation, (ops.RunPython, ops.RunSQL)):
        if not operation.reversible:
            yield "irreversible", None
    elif isinstance(operation, ops.AddIndex):
        if not _concurrent(operation):
            yield "add-index", operation.model_name_lower
    elif isinstance(operation, ops.AddConstraint):
        if isinstance(operation.constraint, models.UniqueConstraint):
            yield "add-index", operation.model_name_lower
        elif isinstance(operation.constraint, models.CheckConstraint):
            yield "add-check-constraint", operation.model_name_lower
    elif isinstance(operation, ops.AddField):
        yield from _add_field(operation.field, operation.model_name_lower)
    elif isinstance(operation, ops.AlterField):
        old = _field(state, app_label, operation.model_name_lower, operation.name_lower)
        yield from _alter_field(old, operation, connection)
    elif isinstance(operation, ops.AlterUniqueTogether):
        before = _model_state(state, app_label, operation.name_lower).options
        if set(operation.option_value or ()) - set(before.get("unique_together") or ()):
            yield "add-index", operation.name_lower
    elif isinstance(operation, ops.RenameField):
        old = _field(state, app_label, operation.model_name_lower, operation.old_name_lower)
        if old.db_column is None:
            yield "rename", operation.model_name_lower
    elif isinstance(operation, ops.RenameModel):
        if not _model_state(state, app_label, operation.old_name_lower).options.get("db_table"):
            yield "rename", operation.old_name_lower
    elif isinstance(operation, ops.RemoveField):
        yield "remove", operation.model_name_lower
    elif isinstance(operation, ops.DeleteModel):
        options = _model_state(state, app_label, operation.name_lower).options
        if options.get("managed", True) and not options.get("proxy"):
            yield "remove", operation.name_lower


def changes_schema(operation: Operation) -> bool:
    if isinstance(operation, ops.SeparateDatabaseAndState):
        return any(changes_schema(inner) for inner in operation.database_operations)
    return not isinstance(operation, SCHEMA_FREE)


def changes_data(operation: Operation) -> bool:
    if isinstance(operation, ops.SeparateDatabaseAndState):
        return any(changes_data(inner) for inner in operation.database_operations)
    return isinstance(operation, SCHEMA_FREE)


def _concurrent(operation: ops.AddIndex) -> bool:
    try:
        from django.contrib.postgres.operations import AddIndexConcurrently
    except ImportError:  # psycopg is not installed: no index is built concurrently
        return False
    return isinstance(operation, AddIndexConcurrently)


def _add_field(field: Any, model: str) -> Iterator[Hit]:
    if field.many_to_many:
        return  # a new table
    if (field.db_index or field.unique) and not field.primary_key:
        yield "add-index", model
    if not field.null and field.db_default is models.NOT_PROVIDED:
        yield "add-not-null-column", model
    if _volatile(field.db_default):
        yield "volatile-default", model
    if field.remote_field is not None and field.db_constraint:
        yield "add-foreign-key", model


def _alter_field(
    old: Any, operation: ops.AlterField, connection: BaseDatabaseWrapper
) -> Iterator[Hit]:
    new: Any = operation.field
    model = operation.model_name_lower
    if (new.db_index and not old.db_index) or (new.unique and not old.unique):
        yield "add-index", model
    if old.null and not new.null:
        yield "set-not-null", model
    constrained = old.remote_field is not None and old.db_constraint
    if new.remote_field is not None and new.db_constraint and not constrained:
        yield "add-foreign-key", model
    if old.remote_field is None and new.remote_field is None:
        changed = new.clone()
        changed.set_attributes_from_name(operation.name)
        old_type = old.db_parameters(connection)["type"]
        if rewrites(old_type, changed.db_parameters(connection)["type"]):
            yield "type-change", model


def rewrites(old: str | None, new: str | None) -> bool:
    """Whether changing a column's type from ``old`` to ``new`` rewrites the table."""
    if old == new or old is None or new is None:
        return False
    widened = re.fullmatch(r"varchar\((\d+)\)", old)
    if widened and new == "text":
        return False
    longer = re.fullmatch(r"varchar\((\d+)\)", new)
    return not (widened and longer and int(longer[1]) >= int(widened[1]))


def _volatile(default: Any) -> bool:
    if default is models.NOT_PROVIDED or not hasattr(default, "flatten"):
        return False
    for node in default.flatten():
        name = getattr(node, "function", None) or getattr(node, "sql", None) or ""
        if isinstance(name, str) and any(f in name.lower() for f in VOLATILE_FUNCTIONS):
            return True
    return False


def _model_state(state: ProjectState, app_label: str, model: str) -> Any:
    return state.models[app_label, model]


def _field(state: ProjectState, app_label: str, model: str, name: str) -> Any:
    return state.apps.get_model(app_label, model)._meta.get_field(name)
