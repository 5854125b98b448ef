"""``prodready plugins``: every plugin, its version and the hooks it implements."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from prodready.plugins import PluginError, plugin_infos

HELP = "List every plugin, its version and the hooks it implements."


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("--format", choices=["text", "json"], default="text")


def handle(command: BaseCommand, *, format: str, **options: Any) -> None:
    try:
        infos = plugin_infos()
    except PluginError as exc:
        raise CommandError(str(exc)) from exc
    if format == "json":
        rows = [
            {"name": i.name, "version": i.version, "source": i.source, "hooks": list(i.hooks)}
            for i in infos
        ]
        command.stdout.write(json.dumps(rows, indent=2))
        return
    for info in infos:
        version = info.version or "-"
        command.stdout.write(
            command.style.MIGRATE_HEADING(f"{info.name} {version}") + f"  ({info.source})"
        )
        for hook in info.hooks:
            command.stdout.write(f"  {hook}")
