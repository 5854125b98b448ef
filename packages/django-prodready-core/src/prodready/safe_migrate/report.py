"""The pending plan of every database, judged: what ``prodready migrations`` shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connections

from prodready.safe_migrate.checker import Risk, assess
from prodready.safe_migrate.plan import Plan, pending_plan
from prodready.safe_migrate.rollback import RollbackPlan, describe, rollback_plan


@dataclass
class DatabasePlan:
    database: str
    plan: Plan
    risks: list[Risk]
    rollback: RollbackPlan
    refused: list[Risk] = field(init=False)

    def __post_init__(self) -> None:
        self.refused = [risk for risk in self.risks if risk.refused]

    def as_json(self) -> dict[str, Any]:
        migrations = []
        for migration, _ in self.plan:
            name = f"{migration.app_label}.{migration.name}"
            migrations.append(
                {
                    "migration": name,
                    "atomic": migration.atomic,
                    "reversible": name not in self.rollback.irreversible,
                    "operations": [
                        {
                            "operation": operation.describe(),
                            "reversible": operation.reversible,
                            "risks": [
                                risk.as_json()
                                for risk in self.risks
                                if risk.migration == name
                                and risk.operation == operation.describe()
                            ],
                        }
                        for operation in migration.operations
                    ],
                }
            )
        return {
            "database": self.database,
            "pending": migrations,
            "refused": len(self.refused),
            "rollback": self.rollback.as_json(),
        }

    def lines(self) -> list[str]:
        if not self.plan:
            return [f"Database {self.database}: no migration pending."]
        lines = [f"Database {self.database}: {len(self.plan)} migration(s) pending."]
        for migration, _ in self.plan:
            name = f"{migration.app_label}.{migration.name}"
            lines.append(f"  {name}{'' if migration.atomic else ' (not atomic)'}")
            for operation in migration.operations:
                lines.append(f"    - {operation.describe()}{_reversible(operation.reversible)}")
                for risk in self.risks:
                    if risk.migration == name and risk.operation == operation.describe():
                        lines.append(f"      {_verdict(risk)}")
        lines.append("  Rollback plan, if the deploy fails:")
        lines += ["  " + line for line in describe(self.rollback)]
        return lines


def _reversible(reversible: bool) -> str:
    return "" if reversible else " [irreversible]"


def _verdict(risk: Risk) -> str:
    where = f" on {risk.table} ({risk.size.describe()})" if risk.table and risk.size else ""
    if risk.reviewed is not None:
        head = f"reviewed ({risk.rule.id}): {risk.reviewed}"
    elif risk.refused:
        head = f"UNSAFE {risk.rule.id} ({risk.level}){where}: {risk.rule.problem}"
    else:
        head = f"passes {risk.rule.id}{where}: a small table"
    if not risk.refused:
        return head
    return f"{head}. Lock: {risk.rule.lock}. Recipe: {risk.rule.recipe}."


def database_plans(databases: list[str] | None = None) -> list[DatabasePlan]:
    """The judged pending plan of each database (every one in DATABASES by default)."""
    plans = []
    for alias in databases or list(connections):
        plan = pending_plan(alias)
        plans.append(DatabasePlan(alias, plan, assess(plan, alias), rollback_plan(plan, alias)))
    return plans
