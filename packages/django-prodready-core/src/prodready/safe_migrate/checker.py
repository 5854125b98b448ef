"""Judge a migration plan before it runs: every operation's risk on this database.

An operation is refused when it breaks a rule on an existing table (for the rules
judged by size, a table of at least ``PRODREADY_MIGRATE_SMALL_TABLE_ROWS`` rows, or of
unknown size), unless its migration marks that rule reviewed::

    class Migration(migrations.Migration):
        prodready_reviewed = {"add-index": "the table is written once a night"}

or only some of its operations, by their position in ``operations`` (from 0), so a
later operation that breaks the same rule is still judged::

        prodready_reviewed = {"add-index": {0: "the table is written once a night"}}

A fresh database (no migration applied yet) and plans that go backwards are not judged:
there is nothing to lock, no running code to break and nothing to go back to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from prodready.conf import conf
from prodready.safe_migrate.operations import changes_data, changes_schema, hits
from prodready.safe_migrate.rules import RULES, Rule
from prodready.safe_migrate.sizes import TableSize, table_sizes

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.migrations import Migration
    from django.db.migrations.operations.base import Operation
    from django.db.migrations.state import ProjectState

    from prodready.safe_migrate.plan import Plan

MARKER = "prodready_reviewed"
CRITICAL_FACTOR = 100  # tables this many times the threshold are "critical"


class InvalidMarker(ValueError):
    """A migration's ``prodready_reviewed`` is not a mapping of rule ids to reasons."""


@dataclass(frozen=True)
class Risk:
    migration: str  # "app_label.name"
    operation: str  # the operation's description
    rule: Rule
    table: str | None
    size: TableSize | None
    level: str  # "low" (passes: a small table), "high" or "critical"
    reviewed: str | None  # the reason given in the marker

    @property
    def refused(self) -> bool:
        return self.level != "low" and self.reviewed is None

    def describe(self) -> str:
        where = f" on {self.table} ({self.size.describe()})" if self.table and self.size else ""
        return (
            f"{self.migration}: {self.operation}{where} {self.rule.problem} "
            f"[{self.rule.id}, {self.level}]. Lock: {self.rule.lock}. "
            f"Safe recipe: {self.rule.recipe}. If it is safe here, say why in the migration: "
            f'{MARKER} = {{"{self.rule.id}": "<why>"}}.'
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "migration": self.migration,
            "operation": self.operation,
            "rule": self.rule.id,
            "level": self.level,
            "refused": self.refused,
            "reviewed": self.reviewed,
            "table": self.table,
            "rows": self.size.rows if self.size else None,
            "bytes": self.size.bytes if self.size else None,
            "lock": self.rule.lock,
            "problem": self.rule.problem,
            "recipe": self.rule.recipe,
        }


def assess(plan: Plan, database: str) -> list[Risk]:
    """Every rule the plan's operations break on ``database``, small tables included."""
    connection = connections[database]
    if not plan or plan[0][1] or not MigrationRecorder(connection).has_table():
        return []
    loader = MigrationLoader(connection)
    applied = [key for key in loader.applied_migrations if key in loader.graph.nodes]
    state = loader.graph.make_state(nodes=applied, at_end=True, real_apps=loader.unmigrated_apps)
    found: list[tuple[Migration, Operation, str, str | None]] = []
    for migration, _ in plan:
        found += _migration_hits(migration, state, connection)
    existing = set(connection.introspection.table_names())
    sizes = table_sizes(connection, {table for *_, table in found if table} & existing)
    risks = []
    for migration, operation, rule_id, table in found:
        rule = RULES[rule_id]
        if connection.vendor not in rule.vendors or (table is not None and table not in existing):
            continue  # no such lock here, or a table this plan creates
        size = sizes.get(table) if table else None
        risks.append(
            Risk(
                migration=f"{migration.app_label}.{migration.name}",
                operation=operation.describe(),
                rule=rule,
                table=table,
                size=size,
                level=_level(rule, size),
                reviewed=reviewed_reason(migration, operation, rule_id),
            )
        )
    return _worst_table_per_data_operation(risks)


def _worst_table_per_data_operation(risks: list[Risk]) -> list[Risk]:
    """A data migration is judged by the largest table its schema changes lock."""
    order = {"low": 0, "high": 1, "critical": 2}
    kept: dict[tuple[str, str, str], Risk] = {}
    result = []
    for risk in risks:
        if risk.rule.id != "data-with-schema":
            result.append(risk)
            continue
        key = (risk.migration, risk.operation, risk.rule.id)
        if key not in kept:
            result.append(risk)
        elif order[risk.level] > order[kept[key].level]:
            result[result.index(kept[key])] = risk
        else:
            continue
        kept[key] = risk
    return result


def _migration_hits(
    migration: Migration, state: ProjectState, connection: BaseDatabaseWrapper
) -> list[tuple[Migration, Operation, str, str | None]]:
    """The rule hits of one migration's operations; moves ``state`` past the migration."""
    found = []
    schema_tables: list[str] = []
    app_label = migration.app_label
    for operation in migration.operations:
        for rule_id, model in hits(operation, state, app_label, connection):
            found.append((migration, operation, rule_id, _table(state, app_label, model)))
        model = getattr(operation, "model_name_lower", None) or getattr(
            operation, "name_lower", None
        )
        if changes_schema(operation) and model and (app_label, model) in state.models:
            schema_tables.append(_table(state, app_label, model) or "")
        operation.state_forwards(app_label, state)
    if migration.atomic and schema_tables:
        for operation in migration.operations:
            if changes_data(operation):
                for table in schema_tables:
                    found.append((migration, operation, "data-with-schema", table))
    return found


def _table(state: ProjectState, app_label: str, model: str | None) -> str | None:
    if model is None:
        return None
    table: str = state.apps.get_model(app_label, model)._meta.db_table
    return table


def _level(rule: Rule, size: TableSize | None) -> str:
    if not rule.by_size:
        return "high"
    threshold = conf.MIGRATE_SMALL_TABLE_ROWS
    if size is None or size.rows is None:
        return "high"  # unknown: not known to be small
    if size.rows < threshold:
        return "low"
    return "critical" if size.rows >= threshold * CRITICAL_FACTOR else "high"


def reviewed_reason(migration: Migration, operation: Operation, rule_id: str) -> str | None:
    """Why the migration's marker says ``operation`` is safe under ``rule_id``, if it does."""
    why = reviewed(migration).get(rule_id)
    if isinstance(why, dict):
        position = next(i for i, op in enumerate(migration.operations) if op is operation)
        return why.get(position)
    return why


def reviewed(migration: Migration) -> dict[str, str | dict[int, str]]:
    """The migration's reviewed marker, checked: rule id -> the reason it is safe, or
    operation position -> the reason."""
    marker = getattr(migration, MARKER, {})
    count = len(migration.operations)
    valid = isinstance(marker, dict) and all(
        rule in RULES and _valid_reason(why, count) for rule, why in marker.items()
    )
    if not valid:
        raise InvalidMarker(
            f"{migration.app_label}.{migration.name}: {MARKER} must map rule ids "
            f"({', '.join(sorted(RULES))}) to the reason each is safe here, or to a mapping "
            f"of operation positions (0 to {count - 1}) to reasons; found {marker!r}."
        )
    return dict(marker)


def _valid_reason(why: object, operations: int) -> bool:
    if isinstance(why, dict):
        return bool(why) and all(
            type(position) is int and 0 <= position < operations and _valid_reason(reason, 0)
            for position, reason in why.items()
        )
    return isinstance(why, str) and bool(why.strip())
