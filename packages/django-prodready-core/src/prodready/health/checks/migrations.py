"""Unapplied migrations on the default database.

Critical, on purpose: code running against a schema it does not expect fails in
ways no other check sees. During a rolling deploy this keeps new instances out
of the load balancer until ``migrate`` has run, while the old instances, which
know nothing of the new migrations, stay ready.

The migrations on disk are read once per process (they change only with a deploy,
which starts new processes); each probe reads only which ones are applied, over
the probe connection.
"""

from __future__ import annotations

from django.db import DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations import Migration
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from prodready.conf import derived_from
from prodready.health.base import HealthCheck, HealthCheckError
from prodready.health.probes import on_probe_connection


class MigrationsCheck(HealthCheck):
    def __init__(self, alias: str) -> None:
        self.alias = alias
        self.name = f"migrations:{alias}"

    def check(self) -> str | None:
        applied = on_probe_connection(self.alias, self.effective_timeout(), applied_migrations)
        unapplied = [
            migration for migration in migrations_on_disk() if not _done(migration, applied)
        ]
        if unapplied:
            first = unapplied[0]
            raise HealthCheckError(
                f"{len(unapplied)} unapplied migration(s), first {first.app_label}.{first.name}; "
                "run manage.py migrate"
            )
        return "all applied"


@derived_from("INSTALLED_APPS", "MIGRATION_MODULES")
def migrations_on_disk() -> tuple[Migration, ...]:
    """Every migration of the project, in an order ``migrate`` would apply them."""
    # Without a connection the loader reads the disk only, and keeps squashed
    # migrations in place of the ones they replace.
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    plan: dict[tuple[str, str], Migration] = {}
    for leaf in graph.leaf_nodes():
        for key in graph.forwards_plan(leaf):
            plan.setdefault(key, graph.nodes[key])
    return tuple(plan.values())


def applied_migrations(connection: BaseDatabaseWrapper) -> frozenset[tuple[str, str]]:
    """The ``(app, name)`` of every applied migration, in one query (none before any ran)."""
    table = MigrationRecorder.Migration._meta.db_table
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT app, name FROM {connection.ops.quote_name(table)}")
            return frozenset((app, name) for app, name in cursor.fetchall())
    except DatabaseError:
        # A missing table means nothing was applied; anything else is the check's failure.
        with connection.cursor() as cursor:
            if table in connection.introspection.table_names(cursor):
                raise
        return frozenset()


def _done(migration: Migration, applied: frozenset[tuple[str, str]]) -> bool:
    key = (migration.app_label, migration.name)
    replaced = migration.replaces
    return key in applied or (bool(replaced) and all(tuple(r) in applied for r in replaced))
