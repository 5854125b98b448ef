from typing import Any

import pytest

from prodready.readiness.findings import CATEGORIES, Finding, InvalidFinding


def test_categories_are_the_five_of_the_report():
    assert CATEGORIES == ("security", "monitoring", "backups", "performance", "deployment")


def test_a_valid_finding_keeps_its_values():
    finding = Finding("x.R001", "backups", "Backups run", False, "Schedule them.", 3, "None ran.")
    assert (finding.id, finding.category, finding.weight, finding.detail) == (
        "x.R001",
        "backups",
        3,
        "None ran.",
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": ""}, "needs a non-empty id"),
        ({"id": None}, "needs a non-empty id"),
        ({"category": "safety"}, "has category 'safety'; expected one of security, monitoring"),
        ({"passed": "yes"}, "has passed='yes'; expected True or False"),
        ({"weight": 0}, "has weight 0; expected 1, 2 or 3"),
        ({"weight": 4}, "has weight 4; expected 1, 2 or 3"),
        ({"weight": True}, "has weight True"),
        ({"weight": 2.0}, "has weight 2.0"),
        ({"fix": ""}, "failed but says no fix"),
        ({"checked": "no"}, "has checked='no'; expected True or False"),
        ({"checked": False}, "needs passed=False and a detail"),
        ({"checked": False, "passed": True, "detail": "offline"}, "needs passed=False"),
        ({"checked": False, "detail": "offline", "fix": ""}, "not checked but says no fix"),
    ],
)
def test_invalid_findings_are_refused_when_built(changes: dict[str, Any], message: str):
    values: dict[str, Any] = {
        "id": "x.R001",
        "category": "security",
        "title": "A rule",
        "passed": False,
        "fix": "Do this.",
        "weight": 2,
    }
    with pytest.raises(InvalidFinding, match=message):
        Finding(**{**values, **changes})


def test_a_passed_finding_needs_no_fix():
    assert Finding("x.R001", "security", "A rule", True).fix == ""


def test_a_finding_says_its_outcome():
    values: dict[str, Any] = {"id": "x.R001", "category": "security", "title": "A rule"}
    assert Finding(**values, passed=True).outcome == "passed"
    assert Finding(**values, passed=False, fix="Do this.").outcome == "failed"
    unchecked = Finding(**values, passed=False, fix="Install it.", detail="no tool", checked=False)
    assert unchecked.outcome == "not checked"
