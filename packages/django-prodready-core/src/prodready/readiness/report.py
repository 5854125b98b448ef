"""The readiness report: findings grouped by category, with scores out of 10.

A score is the weighted share of passed rules: ``10 * passed weight / total
weight``, rounded to one decimal. The overall score weighs every finding the
same way, so a category with many heavy rules counts for more. A category no
installed package reports on has no score and does not count. A rule that could
not look (``checked=False``) counts neither way: it is listed as "not checked",
with how to let it look.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings

from prodready import hooks
from prodready.conf import conf
from prodready.readiness.django_findings import DJANGO_RULES, django_findings, run_django_checks
from prodready.readiness.findings import CATEGORIES, Category, Finding, InvalidFinding

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class CategoryReport:
    """One category's findings: failures first, then those not checked, then passes."""

    name: Category
    findings: tuple[Finding, ...]

    @property
    def score(self) -> float | None:
        return score(self.findings)

    @property
    def failed(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.outcome == "failed")

    @property
    def not_checked(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.outcome == "not checked")

    @property
    def passed(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.outcome == "passed")


@dataclass(frozen=True)
class Report:
    """Every category, in the order of ``CATEGORIES``, and what was silenced."""

    categories: tuple[CategoryReport, ...]
    silenced: tuple[str, ...]  # ids that were left out of the report
    unmatched_silenced: tuple[str, ...]  # silenced ids no rule reported: likely typos

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for category in self.categories for f in category.findings)

    @property
    def score(self) -> float | None:
        return score(self.findings)

    def as_json(self) -> dict[str, Any]:
        """The ``--format json`` document; its keys only ever grow."""
        return {
            "schema_version": SCHEMA_VERSION,
            "score": self.score,
            "passed": sum(f.outcome == "passed" for f in self.findings),
            "failed": sum(f.outcome == "failed" for f in self.findings),
            "not_checked": sum(f.outcome == "not checked" for f in self.findings),
            "silenced": list(self.silenced),
            "categories": {
                category.name: {
                    "score": category.score,
                    "passed": len(category.passed),
                    "failed": len(category.failed),
                    "not_checked": len(category.not_checked),
                    "findings": [_finding_json(f) for f in category.findings],
                }
                for category in self.categories
            },
        }


def score(findings: Iterable[Finding]) -> float | None:
    """10 times the weighted share of passed findings; None when none was checked."""
    total = passed = 0
    for finding in findings:
        if not finding.checked:
            continue
        total += finding.weight
        passed += finding.weight if finding.passed else 0
    return round(10 * passed / total, 1) if total else None


def build_report(findings: Iterable[Finding], silenced: Collection[str] = ()) -> Report:
    """Group ``findings`` by category, leaving out the ``silenced`` ids.

    Within a category, failures come first, heaviest first, so the top of the
    report is what to fix first; then the rules that could not look.
    """
    silenced_set = set(silenced)
    kept: list[Finding] = []
    left_out: set[str] = set()
    for finding in findings:
        if finding.id in silenced_set:
            left_out.add(finding.id)
        else:
            kept.append(finding)
    order = {"failed": 0, "not checked": 1, "passed": 2}
    kept.sort(key=lambda f: (order[f.outcome], -f.weight, f.id))
    categories = tuple(
        CategoryReport(name, tuple(f for f in kept if f.category == name)) for name in CATEGORIES
    )
    return Report(
        categories=categories,
        silenced=tuple(sorted(left_out)),
        unmatched_silenced=tuple(sorted(silenced_set - left_out)),
    )


def readiness_report() -> Report:
    """Run Django's checks and every plugin's rules, and build the report.

    Raises :class:`prodready.plugins.PluginError` naming a plugin that broke
    the hook's contract, and :class:`~prodready.readiness.findings.InvalidFinding`
    for a finding built with bad values.
    """
    # What Django's own commands hide stays hidden here too.
    silenced = {*conf.READINESS_SILENCED, *settings.SILENCED_SYSTEM_CHECKS}
    findings = django_findings(run_django_checks())
    findings += hooks.readiness_findings()
    _reject_duplicate_ids(findings)
    report = build_report(findings, silenced)
    # Point out likely typos in our own setting only; a known Django id (such as
    # security.W010, reported under security.W012 when it passes) is no typo.
    known = {check_id for rule in DJANGO_RULES for check_id in rule.ids}
    unmatched = set(report.unmatched_silenced) & (set(conf.READINESS_SILENCED) - known)
    return replace(report, unmatched_silenced=tuple(sorted(unmatched)))


def _reject_duplicate_ids(findings: list[Finding]) -> None:
    # Two rules under one id could not be silenced apart.
    seen: set[str] = set()
    for finding in findings:
        if finding.id in seen:
            raise InvalidFinding(
                f"Two readiness findings have the id {finding.id!r}; each rule needs its "
                "own id so it can be silenced on its own."
            )
        seen.add(finding.id)


def _finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "id": finding.id,
        "title": finding.title,
        "passed": finding.passed,
        "checked": finding.checked,
        "weight": finding.weight,
        "detail": finding.detail,
        "fix": finding.fix,
    }
