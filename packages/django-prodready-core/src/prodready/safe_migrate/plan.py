"""The migrations ``migrate`` would run, worked out the way Django's command does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connections
from django.db.migrations.exceptions import AmbiguityError
from django.db.migrations.executor import MigrationExecutor

if TYPE_CHECKING:
    from django.db.migrations import Migration

Plan = list[tuple["Migration", bool]]
"""``(migration, backwards)`` pairs in the order they would run."""


def migration_plan(
    database: str, app_label: str | None = None, migration_name: str | None = None
) -> Plan | None:
    """What ``migrate [app_label [migration_name]] --database database`` would run.

    ``None`` when the arguments do not name a target (an unknown app or migration):
    Django's own command then reports the mistake in its words.
    """
    executor = MigrationExecutor(connections[database])
    loader = executor.loader
    graph = loader.graph
    if app_label is not None and app_label not in loader.migrated_apps:
        return None
    if app_label is not None and migration_name is not None:
        if migration_name == "zero":
            targets: list[tuple[str, str | None]] = [(app_label, None)]
        else:
            try:
                found = loader.get_migration_by_prefix(app_label, migration_name)
            except (AmbiguityError, KeyError):
                return None
            target = (app_label, found.name)
            if target not in graph.nodes and target in loader.replacements:
                target = loader.replacements[target].replaces[-1]
            targets = [target]
    elif app_label is not None:
        targets = [key for key in graph.leaf_nodes() if key[0] == app_label]
    else:
        targets = list(graph.leaf_nodes())
    plan: Plan = executor.migration_plan(targets)
    return plan


def pending_plan(database: str) -> Plan:
    """Every migration not yet applied to ``database``, in the order ``migrate`` runs them."""
    plan = migration_plan(database)
    assert plan is not None  # no target named, so there is always a plan
    return plan
