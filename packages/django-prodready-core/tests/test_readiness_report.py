import pytest

from prodready.readiness.findings import CATEGORIES, Finding
from prodready.readiness.report import SCHEMA_VERSION, build_report, score


def passed(id: str, weight: int = 2, category: str = "security") -> Finding:
    return Finding(id, category, f"{id} holds", True, weight=weight)  # type: ignore[arg-type]


def failed(id: str, weight: int = 2, category: str = "security") -> Finding:
    return Finding(id, category, f"{id} holds", False, f"Fix {id}.", weight)  # type: ignore[arg-type]


def unchecked(id: str, weight: int = 2, category: str = "security") -> Finding:
    return Finding(
        id,
        category,  # type: ignore[arg-type]
        f"{id} holds",
        False,
        f"Install the tool {id} needs.",
        weight,
        "the tool is missing",
        checked=False,
    )


@pytest.mark.parametrize(
    ("findings", "expected"),
    [
        ([], None),
        ([passed("a")], 10.0),
        ([failed("a")], 0.0),
        ([passed("a", 3), failed("b", 1)], 7.5),
        ([passed("a", 1), failed("b", 2)], 3.3),
        ([passed("a", 1), passed("b", 1), failed("c", 1)], 6.7),
        # A rule that could not look counts neither way.
        ([unchecked("a")], None),
        ([passed("a", 1), unchecked("b", 3)], 10.0),
        ([failed("a", 1), unchecked("b", 3)], 0.0),
    ],
)
def test_score_is_the_weighted_share_of_passed_rules(findings, expected):
    assert score(findings) == expected


def test_report_groups_by_category_in_a_fixed_order_with_failures_first():
    report = build_report(
        [
            passed("s.1", 3),
            failed("s.2", 1),
            failed("s.3", 3),
            passed("p.1", 2, "performance"),
            failed("b.1", 2, "backups"),
        ]
    )
    assert [c.name for c in report.categories] == list(CATEGORIES)
    ids = {c.name: [f.id for f in c.findings] for c in report.categories}
    assert ids == {
        "security": ["s.3", "s.2", "s.1"],
        "monitoring": [],
        "backups": ["b.1"],
        "performance": ["p.1"],
        "deployment": [],
    }
    scores = {c.name: c.score for c in report.categories}
    assert scores == {
        "security": 4.3,
        "monitoring": None,
        "backups": 0.0,
        "performance": 10.0,
        "deployment": None,
    }
    # Overall weighs every finding: 5 passed out of 11.
    assert report.score == 4.5


def test_silenced_ids_leave_the_report_and_the_score():
    report = build_report([passed("a"), failed("b"), failed("c")], silenced=["b", "zz"])
    assert [f.id for f in report.findings] == ["c", "a"]
    assert report.score == 5.0
    assert report.silenced == ("b",)
    assert report.unmatched_silenced == ("zz",)


def test_json_document_has_a_stable_schema():
    document = build_report([passed("a", 3), failed("b", 1, "backups")]).as_json()
    assert list(document) == [
        "schema_version",
        "score",
        "passed",
        "failed",
        "not_checked",
        "silenced",
        "categories",
    ]
    assert document["schema_version"] == SCHEMA_VERSION
    assert (document["score"], document["passed"], document["failed"]) == (7.5, 1, 1)
    assert list(document["categories"]) == list(CATEGORIES)
    assert document["categories"]["backups"] == {
        "score": 0.0,
        "passed": 0,
        "failed": 1,
        "not_checked": 0,
        "findings": [
            {
                "id": "b",
                "title": "b holds",
                "passed": False,
                "checked": True,
                "weight": 1,
                "detail": "",
                "fix": "Fix b.",
            }
        ],
    }
    assert document["categories"]["monitoring"] == {
        "score": None,
        "passed": 0,
        "failed": 0,
        "not_checked": 0,
        "findings": [],
    }


def test_rules_that_could_not_look_are_neither_passed_nor_failed():
    report = build_report([passed("a"), unchecked("b"), failed("c")])
    (security, *_) = report.categories
    assert [f.id for f in security.findings] == ["c", "b", "a"]
    assert [f.id for f in security.failed] == ["c"]
    assert [f.id for f in security.not_checked] == ["b"]
    assert [f.id for f in security.passed] == ["a"]
    document = report.as_json()
    assert (document["passed"], document["failed"], document["not_checked"]) == (1, 1, 1)
    assert document["categories"]["security"]["findings"][1]["checked"] is False
