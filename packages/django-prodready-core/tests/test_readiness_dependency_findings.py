"""Readiness rules R046 (pinned requirements) and R047 (pip-audit, never failing offline)."""

import json
import os
import stat

import pytest

from prodready.readiness.dependency_findings import audited_dependencies, pinned_requirements


@pytest.fixture
def project(tmp_path, settings):
    settings.BASE_DIR = tmp_path
    return tmp_path


def test_pinned_requirements_pass(project):
    (project / "requirements.txt").write_text(
        "# production\n-r base.txt\nDjango==5.2.8  # LTS\n"
        "mylib @ https://example.com/mylib-1.0.tar.gz\n\n"
    )
    assert pinned_requirements().passed


def test_each_unpinned_line_is_named(project):
    (project / "requirements.txt").write_text("Django>=5.2\ncelery==5.4.0\nredis\n")
    found = pinned_requirements()
    assert (found.passed, found.detail) == (
        False,
        "requirements.txt:1 Django>=5.2; requirements.txt:3 redis",
    )
    assert "pip freeze > requirements.txt" in found.fix


def test_a_pyproject_without_a_lock_file_is_not_pinned(project):
    (project / "pyproject.toml").write_text('[project]\ndependencies = ["Django>=5.2"]\n')
    found = pinned_requirements()
    assert not found.passed
    assert "declares 1 dependencies as ranges and no lock file pins them" in found.detail
    (project / "uv.lock").write_text("version = 1\n")
    assert pinned_requirements().passed


def test_nothing_to_read_is_a_finding(project):
    found = pinned_requirements()
    assert not found.passed
    assert found.detail == f"no requirements file, lock file or pyproject.toml in {project}"


def fake_pip_audit(directory, stdout, status):
    """A stand-in for the pip-audit executable (not installed here), on PATH."""
    script = directory / "pip-audit"
    script.write_text(f"#!/bin/sh\ncat <<'EOF'\n{stdout}\nEOF\nexit {status}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(directory)


def test_without_pip_audit_the_rule_says_not_checked(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    found = audited_dependencies()
    assert (found.outcome, found.detail) == ("not checked", "pip-audit is not installed")
    assert "pip install pip-audit" in found.fix


def test_vulnerabilities_found_by_pip_audit_fail(monkeypatch, tmp_path):
    report = {
        "dependencies": [
            {"name": "django", "version": "5.2.0", "vulns": [{"id": "PYSEC-2025-1"}]},
            {"name": "pluggy", "version": "1.5.0", "vulns": []},
        ],
        "fixes": [],
    }
    monkeypatch.setenv(
        "PATH", fake_pip_audit(tmp_path, json.dumps(report), 1) + os.pathsep + "/bin"
    )
    found = audited_dependencies()
    assert (found.passed, found.detail) == (False, "django 5.2.0: PYSEC-2025-1")


def test_an_offline_pip_audit_is_neither_a_failure_nor_a_pass(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", fake_pip_audit(tmp_path, "", 1) + os.pathsep + "/bin")
    found = audited_dependencies()
    assert found.outcome == "not checked"
    assert found.detail.startswith("pip-audit could not reach")
