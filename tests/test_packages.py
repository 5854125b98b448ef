"""Every distribution in packages/ follows the same conventions (DESIGN.md, STYLE.md)."""

import tomllib
from importlib import import_module
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from django.apps import apps

from prodready.plugins import plugin_infos

PACKAGES = Path(__file__).resolve().parents[1] / "packages"
IMPORT_NAMES = {
    "django-prodready-core": "prodready",
    "django-prodready-security": "prodready_security",
    "django-prodready-backup": "prodready_backup",
    "django-prodready-observability": "prodready_observability",
}


def test_packages_folder_holds_the_four_distributions() -> None:
    found = {path.parent.name for path in PACKAGES.glob("*/pyproject.toml")}
    assert found == set(IMPORT_NAMES)


@pytest.mark.parametrize(("dist", "name"), IMPORT_NAMES.items())
def test_package_conventions(dist: str, name: str) -> None:
    package = PACKAGES / dist
    project = tomllib.loads((package / "pyproject.toml").read_text())["project"]

    assert project["name"] == dist
    assert import_module(name).__version__ == project["version"]
    # Entry-point name, Django app name and plugin name are one string.
    assert project["entry-points"]["prodready"] == {name: f"{name}.prodready_hooks"}
    assert apps.get_app_config(name).name == name
    assert (package / "src" / name / "py.typed").exists()
    assert (package / "src" / name / "conf.py").exists()
    assert (package / "README.md").read_text().startswith(f"# {dist}\n")
    changelog = (package / "CHANGELOG.md").read_text().splitlines()
    assert changelog[:3] == ["# Changelog", "", "## Unreleased"]
    # The dependency rule: Django and pluggy for core; core (and the field's own
    # libraries) for the others, never a sibling package.
    requirements = [
        dep.split(">")[0].split("=")[0].split("[")[0] for dep in project["dependencies"]
    ]
    siblings = set(IMPORT_NAMES) - {dist, "django-prodready-core"}
    if name == "prodready":
        assert sorted(requirements) == ["Django", "pluggy"]
    else:
        assert "django-prodready-core" in requirements
        assert not siblings & set(requirements)


def test_installed_entry_points_match_the_sources() -> None:
    installed = {ep.name: ep.value for ep in entry_points(group="prodready")}
    for name in IMPORT_NAMES.values():
        assert installed[name] == f"{name}.prodready_hooks"


def test_all_four_are_plugins_when_installed_together() -> None:
    infos = {info.name: info for info in plugin_infos()}
    for name in IMPORT_NAMES.values():
        assert infos[name].source == "entry point"
        assert "prodready_settings" in infos[name].hooks
