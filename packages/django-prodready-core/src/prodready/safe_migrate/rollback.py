"""The way back from a deploy: the ``migrate app target`` commands, worked out beforehand.

The plan is computed before the deploy migrates (afterwards, the state it started from
is gone): ``prodready migrations --format json`` prints it for a pipeline to keep, and
``migrate`` prints it when a migration fails. ``prodready migrations rollback FILE``
carries a kept plan out. A migration without a reverse cannot be unapplied: the way back
past it is the backup taken before the deploy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.db.migrations.exceptions import IrreversibleError

if TYPE_CHECKING:
    from prodready.safe_migrate.plan import Plan

RESTORE_HINT = (
    "restore the database from the backup taken before the deploy "
    "(take one with `manage.py migrate --backup-first` when django-prodready-backup is installed)"
)


@dataclass(frozen=True)
class Step:
    app_label: str
    target: str  # a migration name, or "zero"

    def command(self, database: str) -> str:
        return f"manage.py migrate {self.app_label} {self.target} --database {database}"


@dataclass(frozen=True)
class RollbackPlan:
    database: str
    steps: list[Step]
    irreversible: list[str]  # "app.migration" of the plan's migrations without a reverse

    def commands(self) -> list[str]:
        return [step.command(self.database) for step in self.steps]

    def as_json(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "steps": [
                {"app": s.app_label, "target": s.target, "command": s.command(self.database)}
                for s in self.steps
            ],
            "irreversible": self.irreversible,
        }

    @classmethod
    def from_json(cls, data: Any) -> RollbackPlan:
        try:
            return cls(
                database=str(data["database"]),
                steps=[Step(str(s["app"]), str(s["target"])) for s in data["steps"]],
                irreversible=[str(name) for name in data["irreversible"]],
            )
        except (KeyError, TypeError) as exc:
            raise CommandError(
                'Not a rollback plan: expected the "rollback" object of '
                "`manage.py prodready migrations --format json` "
                f"(database, steps, irreversible); {type(exc).__name__}: {exc}."
            ) from None


def rollback_plan(plan: Plan, database: str) -> RollbackPlan:
    """How to go back to the state before ``plan`` (a forward plan) runs."""
    if not plan or plan[0][1]:
        return RollbackPlan(database, [], [])
    pending = {(m.app_label, m.name) for m, _ in plan}
    steps: list[Step] = []
    for migration, _ in plan:
        if any(step.app_label == migration.app_label for step in steps):
            continue
        before = [
            name
            for app, name in migration.dependencies
            if app == migration.app_label and (app, name) not in pending
        ]
        steps.append(Step(migration.app_label, before[-1] if before else "zero"))
    irreversible = [
        f"{m.app_label}.{m.name}"
        for m, _ in plan
        if any(not operation.reversible for operation in m.operations)
    ]
    # Undo the apps in the reverse order of the deploy: dependents before what they need.
    return RollbackPlan(database, steps[::-1], irreversible)


def describe(rollback: RollbackPlan) -> list[str]:
    """The plan as lines for people."""
    if not rollback.steps:
        return ["Nothing to roll back."]
    lines = [f"  {command}" for command in rollback.commands()]
    if rollback.irreversible:
        lines.append(
            f"  {', '.join(rollback.irreversible)} cannot be unapplied: if the deploy got past "
            f"{'it' if len(rollback.irreversible) == 1 else 'them'}, {RESTORE_HINT}."
        )
    return lines


def carry_out(rollback: RollbackPlan, verbosity: int = 1) -> None:
    if rollback.database not in connections:
        raise CommandError(
            f"The rollback plan is for database {rollback.database!r}, which is not in DATABASES."
        )
    for step in rollback.steps:
        try:
            call_command(
                "migrate",
                step.app_label,
                step.target,
                database=rollback.database,
                verbosity=verbosity,
            )
        except IrreversibleError as exc:
            raise CommandError(
                f"Cannot go back with migrate: {exc}. Instead, {RESTORE_HINT}."
            ) from exc
