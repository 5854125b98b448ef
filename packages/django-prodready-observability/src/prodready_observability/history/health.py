"""Health check ``history:database``: the history's tables can be read and its last
write worked. Not critical: serving requests does not depend on it."""

from __future__ import annotations

from django.db import DatabaseError

from prodready import HealthCheck, HealthCheckError


class HistoryCheck(HealthCheck):
    name = "history:database"
    critical = False

    def check(self) -> str | None:
        from prodready_observability.history.flush import database
        from prodready_observability.history.maintenance import describe, state
        from prodready_observability.history.models import RouteStat

        alias = database()
        try:
            RouteStat.objects.using(alias).exists()
        except DatabaseError as exc:
            raise HealthCheckError(describe(alias, exc)) from None
        if state.problem is not None:
            raise HealthCheckError(state.problem)
        return "the request history is written"
