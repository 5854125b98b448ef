"""``manage.py prodready health``: the same report, and an exit code for exec probes."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from prodready.health.base import HealthCheckError
from prodready.health.testing import FakeCheck

PACKAGE_DIR = Path(__file__).resolve().parent.parent


pytestmark = pytest.mark.usefixtures("fresh_health")


def health(*args):
    out = StringIO()
    call_command("prodready", "health", *args, stdout=out, no_color=True)
    return out.getvalue()


def test_healthy_prints_every_check_and_succeeds(use_checks):
    use_checks(FakeCheck("fake:up", detail="12 items"), FakeCheck("fake:other", critical=False))

    lines = health().splitlines()

    assert lines[0].split()[:2] == ["ok", "fake:up"]
    assert lines[0].endswith("12 items")
    assert lines[1].split()[:2] == ["ok", "fake:other"]
    assert "(non-critical)" in lines[1]
    assert lines[-1] == "status: ok"


def test_a_failing_critical_check_is_a_command_error_naming_it(use_checks):
    use_checks(FakeCheck("fake:up"), FakeCheck("fake:down", error=HealthCheckError("refused")))

    with pytest.raises(CommandError, match=r"Not healthy \(failed\): fake:down"):
        health()


def test_degraded_succeeds_unless_asked_to_fail(use_checks):
    use_checks(FakeCheck("fake:slow", critical=False, error=HealthCheckError("slow")))

    assert health().splitlines()[-1] == "status: degraded"
    with pytest.raises(CommandError, match=r"Not healthy \(degraded\): fake:slow"):
        health("--fail-on-degraded")


def test_json_format_gives_the_detailed_report(use_checks):
    use_checks(FakeCheck("fake:up", detail="fine"))

    body = json.loads(health("--format", "json"))

    assert body["status"] == "ok"
    assert [(c["name"], c["status"], c["message"]) for c in body["checks"]] == [
        ("fake:up", "ok", "fine")
    ]


def test_a_mistyped_setting_is_a_failed_check_naming_it(use_checks, settings):
    use_checks(FakeCheck("fake:up"))
    settings.PRODREADY_HEALTH_DEADLINE = "5"

    with pytest.raises(CommandError, match=r"Not healthy \(failed\): settings"):
        health()
    body = json.loads(health_json_ignoring_exit())
    assert body["checks"][0]["message"].startswith(
        "PRODREADY_HEALTH_DEADLINE must be a number; found str '5'."
    )


def health_json_ignoring_exit():
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("prodready", "health", "--format", "json", stdout=out)
    return out.getvalue()


def test_the_command_runs_the_checks_afresh(use_checks):
    check = FakeCheck("fake:counted")
    use_checks(check)

    health()
    health()

    assert check.runs == 2


def test_the_exit_code_is_non_zero_for_an_exec_probe():
    # Real process, real settings: the in-memory test database is never migrated.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": "."}
    completed = subprocess.run(
        [sys.executable, "-m", "django", "prodready", "health", "--format", "json"],
        cwd=PACKAGE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert completed.returncode == 1, completed.stderr
    assert json.loads(completed.stdout)["status"] == "failed"
    last_line = completed.stderr.strip().splitlines()[-1]
    assert last_line.startswith("CommandError: Not healthy (failed): ")
    assert "migrations:default" in last_line
