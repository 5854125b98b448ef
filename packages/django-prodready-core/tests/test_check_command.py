import json
import re
from collections.abc import Callable, Iterator
from io import StringIO
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from prodready.plugins import hookimpl
from prodready.readiness.checklist_findings import checklist_findings
from prodready.readiness.core_findings import core_findings
from prodready.readiness.dependency_findings import dependency_findings
from prodready.readiness.django_findings import django_findings, run_django_checks
from prodready.readiness.findings import Finding
from prodready.readiness.migration_findings import migration_findings

BACKUP_FINDINGS = [
    Finding("backupplugin.R001", "backups", "Backups are encrypted", True, weight=3),
    Finding(
        "backupplugin.R002",
        "backups",
        "Backups are copied off-site",
        False,
        fix="Set BACKUP_REMOTE to an S3 bucket.",
        weight=1,
        detail="Backups stay on the web server.",
    ),
]


class BackupPlugin:
    @hookimpl
    def prodready_readiness_findings(self) -> list[Finding]:
        return BACKUP_FINDINGS


def run(*args: str, **options: Any) -> str:
    out = StringIO()
    call_command("prodready", "check", *args, stdout=out, **options)
    return out.getvalue()


def run_json(*args: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(run("--format", "json", *args))
    return document


@pytest.fixture
def backup_plugin(prodready_plugin: Callable[..., Any]) -> None:
    prodready_plugin(BackupPlugin(), name="backupplugin")


@pytest.fixture
def only_the_plugin(backup_plugin: None) -> Iterator[None]:
    """Silence Django's and core's rules, so the plugin alone sets the overall score."""
    others = [f.id for f in django_findings(run_django_checks())] + [f.id for f in core_findings()]
    others += [f.id for f in migration_findings() + checklist_findings() + dependency_findings()]
    with override_settings(PRODREADY_READINESS_SILENCED=others):
        yield


def test_text_report_groups_by_category_with_scores_and_fixes(backup_plugin):
    out = run()
    assert "Production readiness report" in out
    assert "Backups  7.5/10  (1 of 2 rules passed)" in out
    assert "  FAIL  Backups are copied off-site  [backupplugin.R002]" in out
    assert "        Backups stay on the web server.\n        Fix: Set BACKUP_REMOTE" in out
    # Test settings keep SQLite and a local-memory cache: core says so, with fixes.
    assert "  FAIL  Caches are shared by every process  [prodready.R002]" in out
    assert "  FAIL  SECRET_KEY is long and random  [security.W009]" in out
    assert "Backups are encrypted" not in out  # passed rules only with --all
    assert "  pass  Backups are encrypted  [backupplugin.R001]" in run("--all")


def test_json_report_has_scores_and_every_finding(backup_plugin):
    document = run_json()
    assert list(document["categories"]) == [
        "security",
        "monitoring",
        "backups",
        "performance",
        "deployment",
    ]
    backups = document["categories"]["backups"]
    assert backups["score"] == 7.5
    assert [f["id"] for f in backups["findings"]] == ["backupplugin.R002", "backupplugin.R001"]
    assert backups["findings"][0] == {
        "id": "backupplugin.R002",
        "title": "Backups are copied off-site",
        "passed": False,
        "checked": True,
        "weight": 1,
        "detail": "Backups stay on the web server.",
        "fix": "Set BACKUP_REMOTE to an S3 bucket.",
    }
    performance_ids = [f["id"] for f in document["categories"]["performance"]["findings"]]
    assert performance_ids == ["prodready.R002", "prodready.R003"]
    all_findings = [f for c in document["categories"].values() for f in c["findings"]]
    counted = document["passed"] + document["failed"] + document["not_checked"]
    assert counted == len(all_findings)
    assert 0 <= document["score"] <= 10


def test_overall_score_comes_from_the_findings_left(only_the_plugin):
    document = run_json()
    assert document["score"] == 7.5
    assert [c["score"] for c in document["categories"].values()] == [None, None, 7.5, None, None]


@pytest.mark.parametrize(
    ("threshold", "fails"),
    [("0", False), ("7.5", False), ("7.6", True), ("10", True)],
)
def test_fail_under(only_the_plugin, threshold: str, fails: bool):
    if fails:
        with pytest.raises(
            CommandError, match=rf"^Readiness score 7.5 is below --fail-under {threshold}\.$"
        ):
            run("--fail-under", threshold)
    else:
        run("--fail-under", threshold)


def test_json_is_printed_before_failing_under(only_the_plugin):
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("prodready", "check", "--format", "json", "--fail-under", "9", stdout=out)
    assert json.loads(out.getvalue())["score"] == 7.5


@pytest.mark.parametrize("value", ["11", "-1", "abc", "nan", "inf", ""])
def test_bad_fail_under_is_a_clear_error(value: str):
    with pytest.raises(CommandError, match="--fail-under: must be a number from 0 to 10; got"):
        run("--fail-under", value)


@pytest.mark.parametrize("value", [11, -0.5, "ten"])
def test_bad_fail_under_from_call_command_keywords_is_a_clear_error(value: Any):
    with pytest.raises(CommandError, match=r"^--fail-under must be a number from 0 to 10; got"):
        run(fail_under=value)


def test_fail_under_with_nothing_evaluated_is_an_error(only_the_plugin):
    silenced = [*settings.PRODREADY_READINESS_SILENCED, *(f.id for f in BACKUP_FINDINGS)]
    with (
        override_settings(PRODREADY_READINESS_SILENCED=silenced),
        pytest.raises(CommandError, match="No readiness rule was evaluated"),
    ):
        run("--fail-under", "5")


def test_silenced_ids_are_left_out_and_listed(backup_plugin):
    silenced = ["backupplugin.R002", "prodready.R004", "security.W009", "prodready.R0O1"]
    with override_settings(PRODREADY_READINESS_SILENCED=silenced):
        document = run_json()
        text = run()
    ids = {f["id"] for c in document["categories"].values() for f in c["findings"]}
    assert ids.isdisjoint(silenced)
    assert document["silenced"] == ["backupplugin.R002", "prodready.R004", "security.W009"]
    assert document["categories"]["backups"]["score"] == 10.0
    assert "Silenced: backupplugin.R002, prodready.R004, security.W009" in text
    assert "no rule reported (typo?): prodready.R0O1" in text


def test_djangos_silenced_system_checks_are_left_out_too():
    with override_settings(SILENCED_SYSTEM_CHECKS=["security.W009"]):
        document = run_json()
    ids = {f["id"] for c in document["categories"].values() for f in c["findings"]}
    assert "security.W009" not in ids
    assert document["silenced"] == ["security.W009"]


class NotAList:
    @hookimpl
    def prodready_readiness_findings(self) -> Any:
        return "everything is fine"


class NotFindings:
    @hookimpl
    def prodready_readiness_findings(self) -> Any:
        return [{"id": "x", "passed": True}]


class BadCategory:
    @hookimpl
    def prodready_readiness_findings(self) -> Any:
        return [Finding("garbage.R001", "safety", "Safe", True)]  # type: ignore[arg-type]


class DuplicateId:
    @hookimpl
    def prodready_readiness_findings(self) -> Any:
        return [Finding("prodready.R001", "security", "Mine too", True)]


@pytest.mark.parametrize(
    ("plugin", "message"),
    [
        (NotAList(), "Plugin 'garbage' returned str from prodready_readiness_findings()"),
        (NotFindings(), "Plugin 'garbage' returned {'id': 'x', 'passed': True}"),
        (BadCategory(), "Finding 'garbage.R001' has category 'safety'"),
        (DuplicateId(), "Two readiness findings have the id 'prodready.R001'"),
    ],
)
def test_a_plugin_breaking_the_contract_is_a_clear_error(prodready_plugin, plugin, message):
    prodready_plugin(plugin, name="garbage")
    with pytest.raises(CommandError, match=re.escape(message)):
        run()
