"""``manage.py prodready <subcommand>``: one entry point for operators."""

from __future__ import annotations

import importlib
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

SUBCOMMANDS = ("plugins", "health", "check", "migrations")


class Command(BaseCommand):
    help = "Operate django-prodready: list plugins, probe health, report readiness."
    # The subcommands report problems themselves: a failing system check must not
    # stop a health probe, and the readiness report includes every check's finding.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        for name in SUBCOMMANDS:
            module = _subcommand(name)
            subparser = subparsers.add_parser(name, help=module.HELP, description=module.HELP)
            module.add_arguments(subparser)

    def handle(self, *args: Any, **options: Any) -> None:
        _subcommand(options["subcommand"]).handle(self, **options)


def _subcommand(name: str) -> Any:
    return importlib.import_module(f"prodready.management.subcommands.{name}")
