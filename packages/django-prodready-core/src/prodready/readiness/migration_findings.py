"""Readiness rules about migrations: the schema the deployed code expects.

- ``prodready.R030`` (deployment) every migration is applied, on every database
- ``prodready.R031`` (deployment) no model change lacks its migration
  (``makemigrations --check``)
- ``prodready.R032`` (deployment) no pending migration would be refused by ``migrate``'s
  safety check (``prodready migrations`` shows the recipes)
"""

from __future__ import annotations

from django.apps import apps
from django.db import connections
from django.db.migrations.autodetector import MigrationAutodetector
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ProjectState

from prodready.readiness.findings import Finding
from prodready.safe_migrate.checker import InvalidMarker, assess
from prodready.safe_migrate.plan import Plan, pending_plan


def migration_findings() -> list[Finding]:
    plans: dict[str, Plan] = {}
    problems: list[str] = []
    for alias in connections:
        try:
            plans[alias] = pending_plan(alias)
        except Exception as exc:  # an unreachable or refused database: the finding says so
            problems.append(f"{alias}: could not read its migrations ({type(exc).__name__})")
    return [unapplied(plans, problems), model_changes(), unsafe(plans, problems)]


def unapplied(plans: dict[str, Plan], problems: list[str]) -> Finding:
    pending = [
        f"{alias}: {len(plan)} unapplied, first {plan[0][0].app_label}.{plan[0][0].name}"
        for alias, plan in plans.items()
        if plan
    ]
    return Finding(
        "prodready.R030",
        "deployment",
        "Every migration is applied",
        not (pending or problems),
        fix="Run `manage.py migrate` (with --database for each database) as a deploy step, "
        "before the new code serves traffic.",
        weight=3,
        detail="; ".join(pending + problems),
    )


def model_changes() -> Finding:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    changes = MigrationAutodetector(loader.project_state(), ProjectState.from_apps(apps)).changes(
        graph=loader.graph
    )
    labels = sorted(changes)
    return Finding(
        "prodready.R031",
        "deployment",
        "Every model change has its migration",
        not labels,
        fix="Run `manage.py makemigrations`, review the migrations and commit them "
        "(`makemigrations --check` in CI keeps it so).",
        weight=2,
        detail=f"models changed without a migration in: {', '.join(labels)}" if labels else "",
    )


def unsafe(plans: dict[str, Plan], problems: list[str]) -> Finding:
    refused: list[str] = []
    for alias, plan in plans.items():
        try:
            risks = assess(plan, alias)
        except InvalidMarker as exc:
            refused.append(str(exc))
            continue
        except Exception as exc:  # as above
            problems.append(f"{alias}: could not judge its plan ({type(exc).__name__})")
            continue
        refused += [
            f"{alias}: {risk.migration} {risk.rule.id} on {risk.table or 'no table'}"
            for risk in risks
            if risk.refused
        ]
    return Finding(
        "prodready.R032",
        "deployment",
        "No pending migration is unsafe on the live database",
        not (refused or problems),
        fix="Rewrite each with the safe recipe `manage.py prodready migrations` prints, or "
        "mark it reviewed in the migration (prodready_reviewed) once you judged it safe.",
        weight=3,
        detail="; ".join(refused + problems),
    )
