"""Readiness rules about the deployed environment's dependencies.

- ``prodready.R046`` (deployment) requirements are pinned: every line of the
  requirements files in ``BASE_DIR`` names one version (``==``), or a lock file is kept
- ``prodready.R047`` (security) ``pip-audit`` knows no vulnerability in the installed
  packages. Without pip-audit, or without its vulnerability database (offline), the rule
  is "not checked" (left out of the score, with how to let it look): an absent network
  is never a failure, nor a pass.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from django.conf import settings

from prodready.readiness.findings import Finding

LOCK_FILES = ("uv.lock", "pylock.toml", "poetry.lock", "Pipfile.lock", "pdm.lock")
PIP_AUDIT_TIMEOUT = 120  # seconds
_OPTION = re.compile(r"^\s*(-|#|$)")


def dependency_findings() -> list[Finding]:
    return [pinned_requirements(), audited_dependencies()]


def project_dir() -> Path:
    return Path(getattr(settings, "BASE_DIR", None) or Path.cwd())


def unpinned(root: Path) -> tuple[list[str], list[str]]:
    """(files read, problems) for the requirements and lock files under ``root``."""
    files = sorted(root.glob("requirements*.txt")) + sorted(root.glob("requirements/*.txt"))
    problems = []
    for path in files:
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            requirement = line.split(" #")[0].strip()
            if _OPTION.match(line) or "==" in requirement or " @ " in requirement:
                continue
            problems.append(f"{path.name}:{number} {requirement}")
    read = [path.name for path in files]
    locks = [name for name in LOCK_FILES if (root / name).exists()]
    pyproject = root / "pyproject.toml"
    if not files and not locks and pyproject.exists():
        declared = tomllib.loads(pyproject.read_text()).get("project", {}).get("dependencies")
        if declared:
            read.append(pyproject.name)
            problems.append(
                f"pyproject.toml declares {len(declared)} dependencies as ranges and no lock "
                "file pins them"
            )
    return read + locks, problems


def pinned_requirements() -> Finding:
    root = project_dir()
    read, problems = unpinned(root)
    if not read:
        problems = [f"no requirements file, lock file or pyproject.toml in {root}"]
    return Finding(
        "prodready.R046",
        "deployment",
        "Dependencies are pinned",
        not problems,
        fix="Pin every dependency of the deployed environment to one version: "
        "`pip freeze > requirements.txt` (or `uv lock` / `uv pip compile pyproject.toml "
        "-o requirements.txt`), and install from that file when deploying.",
        weight=2,
        detail="; ".join(problems[:10])
        + (f"; and {len(problems) - 10} more" if len(problems) > 10 else ""),
    )


def _pip_audit() -> list[str] | None:
    if importlib.util.find_spec("pip_audit") is not None:
        return [sys.executable, "-m", "pip_audit"]
    executable = shutil.which("pip-audit")
    return [executable] if executable else None


def audited_dependencies() -> Finding:
    command = _pip_audit()
    title = "Installed packages have no known vulnerability (pip-audit)"
    fix = "Upgrade each package named to a version with the fix (pip-audit --fix does it)."
    if command is None:
        return Finding(
            "prodready.R047",
            "security",
            title,
            False,
            fix="Install pip-audit where this report runs (pip install pip-audit).",
            detail="pip-audit is not installed",
            checked=False,
        )
    try:
        result = subprocess.run(
            [*command, "--local", "--format", "json", "--progress-spinner", "off"],
            capture_output=True,
            text=True,
            timeout=PIP_AUDIT_TIMEOUT,
            check=False,
        )
        report = json.loads(result.stdout)
        dependencies = report["dependencies"] if isinstance(report, dict) else report
        vulnerable = [
            f"{d['name']} {d['version']}: {', '.join(v['id'] for v in d['vulns'])}"
            for d in dependencies
            if d.get("vulns")
        ]
    except (OSError, subprocess.TimeoutExpired, ValueError, KeyError, TypeError):
        return Finding(
            "prodready.R047",
            "security",
            title,
            False,
            fix="Run the report where pip-audit can reach its vulnerability database, "
            "or run pip-audit by hand.",
            detail="pip-audit could not reach its vulnerability database (offline?) or failed",
            checked=False,
        )
    return Finding(
        "prodready.R047",
        "security",
        title,
        not vulnerable,
        fix=fix,
        weight=2,
        detail="; ".join(vulnerable),
    )
