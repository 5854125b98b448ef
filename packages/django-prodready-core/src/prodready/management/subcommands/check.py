"""``prodready check``: the production readiness report, for people and pipelines."""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from prodready.plugins import PluginError
from prodready.readiness.findings import InvalidFinding
from prodready.readiness.report import readiness_report
from prodready.readiness.text import render

HELP = (
    "Report what is not ready for production: Django's deploy checks and every plugin's "
    "rules, scored out of 10 per category, each failure with its fix."
)


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="text for people (default), json for pipelines (a stable schema).",
    )
    parser.add_argument(
        "--fail-under",
        type=score_argument,
        default=None,
        metavar="SCORE",
        help="Exit with status 1 when the overall score (0-10) is below SCORE.",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        dest="show_passed",
        help="List the rules that passed too, not only the failures (text format).",
    )


def score_argument(value: str) -> float:
    """Parse ``--fail-under``: a number from 0 to 10."""
    try:
        score = float(value)
    except ValueError:
        score = math.nan
    if not 0 <= score <= 10:  # also rejects nan
        raise argparse.ArgumentTypeError(f"must be a number from 0 to 10; got {value!r}")
    return score


def handle(
    command: BaseCommand,
    *,
    format: str = "text",
    fail_under: float | str | None = None,
    show_passed: bool = False,
    **options: Any,
) -> None:
    # call_command(..., fail_under=x) bypasses argparse's type: validate again.
    threshold = _threshold(fail_under)
    try:
        report = readiness_report()
    except (PluginError, InvalidFinding) as exc:
        raise CommandError(str(exc)) from exc
    if format == "json":
        command.stdout.write(json.dumps(report.as_json(), indent=2))
    else:
        command.stdout.write(render(report, command.style, show_passed=show_passed))
    if threshold is not None:
        if report.score is None:
            raise CommandError(
                f"No readiness rule was evaluated, so the score cannot be compared with "
                f"--fail-under {threshold:g}; check PRODREADY_READINESS_SILENCED."
            )
        if report.score < threshold:
            raise CommandError(
                f"Readiness score {report.score:.1f} is below --fail-under {threshold:g}."
            )


def _threshold(value: float | str | None) -> float | None:
    if value is None:
        return None
    try:
        return score_argument(str(value))
    except argparse.ArgumentTypeError as exc:
        raise CommandError(f"--fail-under {exc}") from exc
