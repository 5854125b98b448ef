"""Each package installs and works alone: core, the package, their declared dependencies.

A bare virtualenv per package (``bare_venv``): nothing from the test dependencies, so
an import that the package does not declare fails here as it would for a user.
Every module that needs no extra is imported (``declared_imports`` tells which).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import bare_venv
from tests.declared_imports import Project, importable_alone, projects

CHECK = Path(__file__).with_name("alone_check.py")
PACKAGES = [project for project in projects() if project.root.parent.name == "packages"]
CORE = "django-prodready-core"


@pytest.mark.parametrize("project", PACKAGES, ids=lambda project: project.name)
def test_package_installs_and_works_alone(project: Project, tmp_path: Path) -> None:
    # Core's own run names it once.
    sources = dict.fromkeys(bare_venv.package_source(name) for name in (CORE, project.name))
    venv = bare_venv.create(tmp_path / "venv", *sources)
    venv.assert_bare()

    app = min(project.top_level)
    modules = importable_alone(project)
    result = venv.run("python", str(CHECK), app, str(tmp_path / "db.sqlite3"), *modules)

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{app}: {len(modules)} modules import" in result.stdout
