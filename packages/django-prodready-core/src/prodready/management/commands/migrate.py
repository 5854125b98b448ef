"""``migrate``, the one override of Django's command: checked first, plugins through hooks.

Before anything changes, the pending plan is judged (``prodready.safe_migrate``): an
operation that would lock a large table or break the code still running is refused
with its safe recipe, unless its migration marks it reviewed or ``--allow-unsafe`` is
given. Plugins add their options with ``prodready_migrate_arguments`` and prepare for
(or stop) the run with ``prodready_before_migrate``; no other package overrides
``migrate``, so INSTALLED_APPS order never decides whose override wins.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.core.management.commands import migrate

from prodready import hooks
from prodready.safe_migrate.checker import InvalidMarker, Risk, assess
from prodready.safe_migrate.plan import Plan, migration_plan


class Command(migrate.Command):
    help = migrate.Command.help + " Refuses operations unsafe on a live site (see --allow-unsafe)."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--allow-unsafe",
            action="store_true",
            help="Run migrations the safety check refuses (long locks, breaking running code).",
        )
        hooks.migrate_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["plan"] or options["check_unapplied"]:
            super().handle(*args, **options)  # changes nothing
            return
        self.verbosity = options["verbosity"]
        database = options["database"]
        plan = migration_plan(database, options["app_label"], options["migration_name"])
        if plan is None:  # a mistake in the arguments: Django's command names it
            super().handle(*args, **options)
            return
        if not options["fake"]:
            self._check(plan, database, allow_unsafe=options["allow_unsafe"])
        hooks.before_migrate(plan=plan, database=database, options=options, stdout=self.stdout)
        super().handle(*args, **options)

    def _check(self, plan: Plan, database: str, *, allow_unsafe: bool) -> None:
        try:
            risks = assess(plan, database)
        except InvalidMarker as exc:
            raise CommandError(str(exc)) from exc
        refused = [risk for risk in risks if risk.refused]
        if refused and not allow_unsafe:
            raise CommandError(_refusal(refused))
        if refused and self.verbosity:
            self.stderr.write(f"Running {len(refused)} unsafe operation(s) (--allow-unsafe):")
            for risk in refused:
                self.stderr.write(f"  {risk.describe()}")


def _refusal(refused: list[Risk]) -> str:
    lines = [f"Not migrating: {len(refused)} operation(s) are unsafe on a live site."]
    lines += [f"- {risk.describe()}" for risk in refused]
    lines.append(
        "Follow the recipe, or mark the migration reviewed, or pass --allow-unsafe "
        "(`manage.py prodready migrations` shows the whole plan)."
    )
    return "\n".join(lines)
