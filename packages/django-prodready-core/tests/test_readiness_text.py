from django.core.management.color import color_style, no_style

from prodready.readiness.findings import Finding
from prodready.readiness.report import build_report
from prodready.readiness.text import render

REPORT = build_report(
    [
        Finding(
            "app.R001",
            "security",
            "Secrets are rotated",
            False,
            "Set ROTATE_DAYS.",
            1,
            "Never rotated.",
        ),
        Finding("app.R002", "security", "Tokens expire", True),
        Finding("app.R003", "performance", "Pages are cached", True),
    ],
    silenced=["app.R009", "app.R099"],
)


def test_failures_show_what_was_found_and_the_fix():
    lines = render(REPORT, no_style()).splitlines()
    assert lines == [
        "Production readiness report",
        "",
        "Security  6.7/10  (1 of 2 rules passed)",
        "  FAIL  Secrets are rotated  [app.R001]",
        "        Never rotated.",
        "        Fix: Set ROTATE_DAYS.",
        "",
        "Monitoring  not checked: no installed package reports on monitoring",
        "",
        "Backups  not checked: no installed package reports on backups",
        "",
        "Performance  10.0/10  (1 of 1 rules passed)",
        "",
        "Deployment  not checked: no installed package reports on deployment",
        "",
        "Overall: 8.0/10  (1 of 3 rules failed)",
        "PRODREADY_READINESS_SILENCED lists ids that no rule reported (typo?): app.R009, app.R099",
        "Run with --all to list the rules that passed too.",
    ]


def test_all_lists_passed_rules_too():
    text = render(REPORT, no_style(), show_passed=True)
    assert "  pass  Tokens expire  [app.R002]" in text
    assert "  pass  Pages are cached  [app.R003]" in text
    assert "Run with --all" not in text


def test_scores_are_coloured_by_how_good_they_are():
    text = render(REPORT, color_style(force_color=True))
    style = color_style(force_color=True)
    assert style.WARNING("6.7/10") in text
    assert style.SUCCESS("10.0/10") in text
    assert style.ERROR("FAIL") in text


def test_long_fixes_are_wrapped_and_indented():
    long_fix = "Set A_SETTING to a value. " * 12
    report = build_report([Finding("app.R001", "deployment", "Long", False, long_fix)])
    fix_lines = [line for line in render(report, no_style()).splitlines() if "A_SETTING" in line]
    assert len(fix_lines) > 1
    assert all(line.startswith(" " * 8) and len(line) <= 100 for line in fix_lines)


def test_rules_that_could_not_look_say_why_and_how_to_let_them():
    report = build_report(
        [
            Finding("app.R002", "security", "Tokens expire", True),
            Finding(
                "app.R005",
                "security",
                "No known vulnerability",
                False,
                "Install the scanner.",
                detail="the scanner is not installed",
                checked=False,
            ),
        ]
    )
    lines = render(report, no_style()).splitlines()
    assert lines[2:6] == [
        "Security  10.0/10  (1 of 2 rules passed, 1 not checked)",
        "  SKIP  No known vulnerability  [app.R005]",
        "        the scanner is not installed",
        "        Fix: Install the scanner.",
    ]
    assert "Overall: 10.0/10  (0 of 2 rules failed, 1 not checked)" in lines
