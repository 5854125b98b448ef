"""``prodready migrations``: the pending plan, its risks and the way back; ``rollback``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connections

from prodready.safe_migrate.checker import InvalidMarker
from prodready.safe_migrate.report import database_plans
from prodready.safe_migrate.rollback import RollbackPlan, carry_out

HELP = (
    "Show the migrations each database would run, each operation's risk, lock and table "
    "size, and the rollback plan; exit 1 when migrate would refuse one. "
    "`rollback FILE` carries out a rollback plan kept from --format json."
)


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--database",
        action="append",
        dest="databases",
        metavar="ALIAS",
        help="A database to report on (repeatable); every one in DATABASES by default.",
    )
    parser.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="text for people (default), json for pipelines (keep its rollback plans).",
    )
    actions = parser.add_subparsers(dest="migrations_action", metavar="ACTION")
    rollback = actions.add_parser(
        "rollback",
        help="Go back to the state a deploy started from.",
        description="Carry out the rollback plans of `prodready migrations --format json` "
        "(a file, or - for standard input), kept from before the deploy.",
    )
    rollback.add_argument("plan_file", metavar="FILE")


def handle(
    command: BaseCommand,
    *,
    migrations_action: str | None = None,
    databases: list[str] | None = None,
    format: str = "text",
    plan_file: str | None = None,
    **options: Any,
) -> None:
    if migrations_action == "rollback":
        _rollback(command, plan_file or "-", options.get("verbosity", 1))
        return
    unknown = sorted(set(databases or ()) - set(connections))
    if unknown:
        raise CommandError(
            f"Unknown database {', '.join(unknown)}; DATABASES has {', '.join(connections)}."
        )
    try:
        plans = database_plans(databases)
    except InvalidMarker as exc:
        raise CommandError(str(exc)) from exc
    except DatabaseError as exc:
        raise CommandError(f"Could not read the migration state: {exc}") from exc
    if format == "json":
        command.stdout.write(json.dumps({"databases": [p.as_json() for p in plans]}, indent=2))
    else:
        for plan in plans:
            command.stdout.write("\n".join(plan.lines()))
    refused = sum(len(plan.refused) for plan in plans)
    if refused:
        raise CommandError(
            f"migrate would refuse {refused} unsafe operation(s); see the recipes above."
        )


def _rollback(command: BaseCommand, plan_file: str, verbosity: int) -> None:
    try:
        text = sys.stdin.read() if plan_file == "-" else Path(plan_file).read_text()
        data = json.loads(text)
    except (OSError, ValueError) as exc:
        raise CommandError(f"Cannot read the rollback plan {plan_file}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("databases"), list):
        raise CommandError(
            f"{plan_file} is not the output of `manage.py prodready migrations --format json`."
        )
    for database in data["databases"]:
        rollback = RollbackPlan.from_json(
            database.get("rollback") if isinstance(database, dict) else None
        )
        for line in rollback.commands():
            command.stdout.write(f"Running: {line}")
        carry_out(rollback, verbosity)
    command.stdout.write("Rolled back.")
