"""``migrate``, the one override of Django's command: plugins take part through hooks.

Plugins add their options with ``prodready_migrate_arguments`` and prepare for (or stop)
the run with ``prodready_before_migrate``; no other package overrides ``migrate``, so
INSTALLED_APPS order never decides whose override wins.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.core.management.commands import migrate

from prodready import hooks
from prodready.safe_migrate.plan import migration_plan


class Command(migrate.Command):
    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        hooks.migrate_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["plan"] or options["check_unapplied"]:
            super().handle(*args, **options)  # changes nothing
            return
        database = options["database"]
        plan = migration_plan(database, options["app_label"], options["migration_name"])
        if plan is None:  # a mistake in the arguments: Django's command names it
            super().handle(*args, **options)
            return
        hooks.before_migrate(plan=plan, database=database, options=options, stdout=self.stdout)
        super().handle(*args, **options)
