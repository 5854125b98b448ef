"""``prodready health``: run every health check, for container and Kubernetes exec probes.

Exits 1 when a critical check fails (and, with ``--fail-on-degraded``, when any
check fails), like ``/health/ready`` answering 503.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from prodready.health.base import CheckResult
from prodready.health.report import HealthReport
from prodready.health.runner import get_report

HELP = "Run every health check; exit non-zero when a critical check fails."


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.add_argument(
        "--fail-on-degraded",
        action="store_true",
        help="Also exit non-zero when only non-critical checks fail.",
    )


def handle(command: BaseCommand, *, format: str, fail_on_degraded: bool, **options: Any) -> None:
    report = get_report(max_age=0)
    if format == "json":
        command.stdout.write(json.dumps(report.detail(), indent=2))
    else:
        _write_text(command, report)
    if report.status == "failed" or (fail_on_degraded and report.status == "degraded"):
        raise CommandError(f"Not healthy ({report.status}): {', '.join(report.failing)}")


def _write_text(command: BaseCommand, report: HealthReport) -> None:
    width = max((len(r.name) for r in report.results), default=0)
    for result in report.results:
        line = f"{_styled_status(command, result)}  {result.name:<{width}}  "
        line += f"{result.latency_ms:7.1f} ms"
        if not result.critical:
            line += "  (non-critical)"
        if result.message:
            line += f"  {result.message}"
        command.stdout.write(line)
    command.stdout.write(f"status: {report.status}")


def _styled_status(command: BaseCommand, result: CheckResult) -> str:
    label = f"{result.status:<7}"
    if result.ok:
        return command.style.SUCCESS(label)
    return command.style.ERROR(label) if result.critical else command.style.WARNING(label)
