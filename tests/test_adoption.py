"""Each package installs alone and works the moment its app is added, as its README's
Installation says.

One test per package, each in a bare virtualenv of its own with only Django, core and
that package (from the source tree, or the built wheels with ``PRODREADY_TEST_DIST``), on
a project fresh from ``django-admin startproject``: see ``tests/adoption.py``. Every module
that needs no extra is imported there (``declared_imports`` tells which), so an import
the package does not declare fails here as it would for a user.
"""

from __future__ import annotations

from pathlib import Path

import django
import pytest

from tests.adoption import PACKAGES, AdoptionError, adopt, installation
from tests.declared_imports import importable_alone, projects

MODULES = {project.name: importable_alone(project) for project in projects()}


@pytest.mark.parametrize("distribution", PACKAGES)
def test_a_new_project_adopts_the_package_alone_by_following_its_readme(
    distribution: str, tmp_path: Path
) -> None:
    modules = MODULES[distribution]
    # The Django under test, so each cell of the matrix checks its own version.
    seen = adopt(distribution, f"=={django.get_version()}", tmp_path, modules)
    assert seen.imported == len(modules) > 0
    assert seen.login_page.startswith("/admin/login/?next=/ops/")
    assert 0 <= seen.score <= 10


def test_every_readme_installation_is_steps_a_machine_can_follow() -> None:
    for distribution in PACKAGES:
        steps = installation(distribution)
        assert set(steps.appended) == {"settings.py", "urls.py"}, distribution
        assert "prodready" in steps.appended["settings.py"], distribution


SECTION = """# x

## Installation

```console
pip install django-prodready-core
```

{block}

## Next
"""


@pytest.mark.parametrize(
    ("block", "problem"),
    [
        ("```python\nINSTALLED_APPS += ['prodready']\n```", "must start with one of"),
        ("```console\npython manage.py migrate\nexport KEY=1\n```", "a step no one can follow"),
        ("```\nsomething\n```", "a plain block in Installation"),
        ("Run `manage.py migrate`.", "runs no command"),
    ],
)
def test_a_readme_step_no_one_can_follow_fails(block: str, problem: str) -> None:
    with pytest.raises(AdoptionError, match=problem):
        installation("django-prodready-core", SECTION.format(block=block))


def test_a_readme_that_installs_another_package_fails() -> None:
    text = SECTION.replace("django-prodready-core", "django-prodready-security").format(
        block="```console\npython manage.py migrate\n```"
    )
    with pytest.raises(AdoptionError, match=r"names \['django-prodready-security'\]"):
        installation("django-prodready-core", text)
