"""Unapplied migrations on the default database.

Critical, on purpose: code running against a schema it does not expect fails in
ways no other check sees. During a rolling deploy this keeps new instances out
of the load balancer until ``migrate`` has run, while the old instances, which
know nothing of the new migrations, stay ready.
"""

from __future__ import annotations

from django.db.migrations.executor import MigrationExecutor

from prodready.health.base import HealthCheck, HealthCheckError
from prodready.health.checks.database import probe_connection


class MigrationsCheck(HealthCheck):
    def __init__(self, alias: str) -> None:
        self.alias = alias
        self.name = f"migrations:{alias}"

    def check(self) -> str | None:
        with probe_connection(self.alias, self.effective_timeout()) as connection:
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            first = plan[0][0]
            raise HealthCheckError(
                f"{len(plan)} unapplied migration(s), first {first.app_label}.{first.name}; "
                "run manage.py migrate"
            )
        return "all applied"
