"""The readiness report as coloured text for a terminal."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable, Iterator

from django.core.management.color import Style

from prodready.readiness.findings import Finding
from prodready.readiness.report import CategoryReport, Report

GOOD_SCORE = 8.0
FAIR_SCORE = 5.0
MAX_WIDTH = 100
INDENT = " " * 8


def render(report: Report, style: Style, *, show_passed: bool = False) -> str:
    """The report, failures with their fixes first; passed rules only if ``show_passed``."""
    return "\n".join(_lines(report, style, show_passed))


def _lines(report: Report, style: Style, show_passed: bool) -> Iterator[str]:
    yield style.MIGRATE_HEADING("Production readiness report")
    for category in report.categories:
        yield ""
        yield from _category_lines(category, style, show_passed)
    yield ""
    failed = sum(f.outcome == "failed" for f in report.findings)
    unchecked = sum(f.outcome == "not checked" for f in report.findings)
    yield (
        style.MIGRATE_HEADING("Overall: ")
        + _score_text(report.score, style)
        + f"  ({failed} of {len(report.findings)} rules failed"
        + (f", {unchecked} not checked)" if unchecked else ")")
    )
    if report.silenced:
        yield f"Silenced: {', '.join(report.silenced)}"
    if report.unmatched_silenced:
        yield style.WARNING(
            "PRODREADY_READINESS_SILENCED lists ids that no rule reported (typo?): "
            + ", ".join(report.unmatched_silenced)
        )
    if not show_passed and any(f.passed for f in report.findings):
        yield "Run with --all to list the rules that passed too."


def _category_lines(category: CategoryReport, style: Style, show_passed: bool) -> Iterator[str]:
    heading = style.MIGRATE_HEADING(category.name.capitalize())
    if not category.findings:
        yield f"{heading}  not checked: no installed package reports on {category.name}"
        return
    summary = f"{len(category.passed)} of {len(category.findings)} rules passed"
    if category.not_checked:
        summary += f", {len(category.not_checked)} not checked"
    yield f"{heading}  {_score_text(category.score, style)}  ({summary})"
    for finding in category.failed:
        yield from _failed_lines(finding, style)
    for finding in category.not_checked:
        yield from _failed_lines(finding, style, style.WARNING("SKIP"))
    if show_passed:
        for finding in category.passed:
            yield f"  {style.SUCCESS('pass')}  {finding.title}  [{finding.id}]"


def _failed_lines(finding: Finding, style: Style, label: str = "") -> Iterator[str]:
    label = label or style.ERROR("FAIL")
    yield f"  {label}  {style.MIGRATE_LABEL(finding.title)}  [{finding.id}]"
    if finding.detail:
        yield _wrap(finding.detail)
    # Wrap before colouring: escape codes would count towards the width.
    fix = _wrap(f"Fix: {finding.fix}")
    yield fix.replace("Fix:", style.SUCCESS("Fix:"), 1)


def _wrap(text: str) -> str:
    width = min(shutil.get_terminal_size().columns, MAX_WIDTH)
    return textwrap.fill(
        text, width, initial_indent=INDENT, subsequent_indent=INDENT, break_on_hyphens=False
    )


def _score_text(score: float | None, style: Style) -> str:
    if score is None:
        return "n/a"
    colour: Callable[[str], str]
    if score >= GOOD_SCORE:
        colour = style.SUCCESS
    elif score >= FAIR_SCORE:
        colour = style.WARNING
    else:
        colour = style.ERROR
    return colour(f"{score:.1f}/10")
