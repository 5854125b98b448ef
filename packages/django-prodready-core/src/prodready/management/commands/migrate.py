"""``migrate``, the one override of Django's command: checked first, plugins through hooks.

Before anything changes, the pending plan is judged (``prodready.safe_migrate``): an
operation that would lock a large table or break the code still running is refused
with its safe recipe, unless its migration marks it reviewed or ``--allow-unsafe`` is
given. Plugins add their options with ``prodready_migrate_arguments`` and prepare for
(or stop) the run with ``prodready_before_migrate``; no other package overrides
``migrate``, so INSTALLED_APPS order never decides whose override wins.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from django.core.management.base import CommandError, CommandParser
from django.core.management.commands import migrate
from django.db import DatabaseError, connections

from prodready import hooks
from prodready.conf import conf
from prodready.safe_migrate.checker import InvalidMarker, Risk, assess
from prodready.safe_migrate.lock_timeout import Changes, lock_timeout, timed_out
from prodready.safe_migrate.plan import Plan, migration_plan
from prodready.safe_migrate.rollback import describe, rollback_plan

if TYPE_CHECKING:
    from django.db.migrations import Migration


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
        self._started: list[Migration] = []  # by the progress callback, for the retry
        self._changes = Changes()  # since the last migration started
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
        try:
            self._migrate(args, options)
        except Exception:
            if self._started and not plan[0][1]:
                self.stderr.write("migrate stopped part-way. To go back to where it started:")
                for line in describe(rollback_plan(plan, database)):
                    self.stderr.write(line)
            raise

    def _migrate(self, args: tuple[Any, ...], options: dict[str, Any]) -> None:
        """Django's migrate under a lock timeout, retrying a migration that gave up waiting."""
        connection = connections[options["database"]]
        retries = conf.MIGRATE_LOCK_RETRIES
        # Where an operator finds the transaction holding the lock.
        holders = "SHOW PROCESSLIST" if connection.vendor == "mysql" else "pg_stat_activity"
        for attempt in range(retries + 1):
            self._started = []
            try:
                with (
                    lock_timeout(connection, conf.MIGRATE_LOCK_TIMEOUT),
                    connection.execute_wrapper(self._changes),
                ):
                    super().handle(*args, **options)
                return
            except DatabaseError as exc:
                if not timed_out(exc):
                    raise
                failed = self._started[-1] if self._started else None
                name = f"{failed.app_label}.{failed.name}" if failed else "a migration"
                waited = f"{name} waited {conf.MIGRATE_LOCK_TIMEOUT:g} s for a lock and gave up"
                rolled_back = failed is not None and (
                    (failed.atomic and connection.features.can_rollback_ddl)
                    or not self._changes.changed
                )
                if not rolled_back:
                    raise CommandError(
                        f"{waited}; it is not atomic, so check what it changed before running "
                        f"migrate again ({holders} shows who holds the lock)."
                    ) from exc
                if attempt == retries:
                    raise CommandError(
                        f"{waited} {retries + 1} time(s); nothing of it was applied. Find the "
                        f"long transaction holding the lock ({holders}), or raise "
                        "PRODREADY_MIGRATE_LOCK_TIMEOUT / PRODREADY_MIGRATE_LOCK_RETRIES."
                    ) from exc
                pause = 2**attempt
                self.stderr.write(f"{waited} (nothing of it applied); retrying in {pause} s ...")
                time.sleep(pause)

    def migration_progress_callback(
        self, action: str, migration: Migration | None = None, fake: bool = False
    ) -> None:
        if migration is not None and action in ("apply_start", "unapply_start"):
            self._started.append(migration)
            self._changes.reset()
        super().migration_progress_callback(action, migration, fake)

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
        "(`manage.py prodready migrations` shows the whole plan and the way back)."
    )
    return "\n".join(lines)
