"""Every distribution declares what its code imports at run time (DESIGN.md).

Read from the sources, without installing anything: an import whose distribution is
not declared would work here, where the test dependencies bring it, and fail where
the package is installed alone. ``test_adoption.py`` and ``test_deployment.py``
then prove the declarations in bare virtualenvs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.declared_imports import (
    ROOT,
    Project,
    importable_alone,
    load_project,
    normalize,
    projects,
    undeclared,
)

# "pip install django-prodready-backup[s3]", in a message or a README.
EXTRA_NAMED = re.compile(r"\b(django-prodready-[a-z]+)\[([a-z0-9_,\s-]+)\]")


@pytest.mark.parametrize("project", projects(), ids=lambda project: project.name)
def test_every_import_is_declared(project: Project) -> None:
    problems = undeclared(project)
    assert not problems, "\n".join(problems)


def test_the_check_finds_undeclared_imports(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "demo"\ndependencies = ["Django>=5.2"]\n'
        '[project.optional-dependencies]\ncelery = ["celery>=5.4"]\n'
    )
    package = tmp_path / "src" / "demo_app"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "tasks.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "import django\n"
        "import celery\n"  # eager, but only in an extra
        "if TYPE_CHECKING:\n"
        "    import yaml\n"  # never runs: ignored
        "def later():\n"
        "    import celery.schedules\n"  # deferred: the extra is enough
        "    import redis\n"  # declared nowhere
        "try:\n"
        "    import pluggy\n"  # optional, and declared nowhere
        "except ImportError:\n"
        "    pluggy = None\n"
    )

    problems = undeclared(load_project(tmp_path))

    module = package / "tasks.py"
    assert len(problems) == 3, problems
    assert problems[0].startswith(f"{module}:3 import celery as the module is imported")
    assert "only in the extra celery" in problems[0]
    assert problems[1].startswith(f"{module}:8 import redis, which")
    assert problems[1].endswith("add it to [project] dependencies or an extra")
    assert problems[2].startswith(f"{module}:10 import pluggy, which")


def test_extras_named_in_messages_and_docs_exist() -> None:
    extras = {project.name: set(project.extras) for project in projects()}
    texts = [
        path
        for project in projects()
        for path in [*project.files.values(), *project.root.glob("*.md")]
    ] + sorted((ROOT / "docs").glob("*.md"))
    named = [(path, match) for path in texts for match in EXTRA_NAMED.finditer(path.read_text())]
    assert named, "no message names an extra: has the pattern gone stale?"
    for path, match in named:
        dist = normalize(match.group(1))
        for extra in match.group(2).split(","):
            assert extra.strip() in extras[dist], (
                f"{path.relative_to(ROOT)} names {match.group(0)}, but {dist} has no extra "
                f"{extra.strip()!r} (it has: {', '.join(sorted(extras[dist])) or 'none'})"
            )


def test_every_package_module_imports_without_extras() -> None:
    """What test_adoption imports in a bare virtualenv: all but what pytest loads."""
    left_out = {
        project.name: sorted(set(project.files) - set(importable_alone(project)))
        for project in projects()
    }
    assert left_out == {
        "django-prodready-core": ["prodready._ci", "prodready.testing"],
        "django-prodready-security": [],
        "django-prodready-backup": [],
        "django-prodready-observability": [],
        "prodready-example": [],
    }
