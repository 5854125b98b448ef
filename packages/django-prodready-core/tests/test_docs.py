"""docs/hooks.md and docs/settings.md stay in step with the code."""

import importlib
import importlib.util
import inspect
import re
from pathlib import Path

import pytest

from prodready import hookspecs
from prodready.conf import AppSettings

DOCS = Path(__file__).resolve().parents[3] / "docs"
PACKAGES = ("prodready", "prodready_security", "prodready_backup", "prodready_observability")


def hookspec_signatures() -> dict[str, str]:
    signatures = {}
    for name, function in inspect.getmembers(hookspecs, inspect.isfunction):
        if name.startswith("prodready_"):
            sig = inspect.signature(function)
            params = ", ".join(f"{p.name}: {p.annotation}" for p in sig.parameters.values())
            signatures[name] = f"{name}({params}) -> {sig.return_annotation}"
    return signatures


def documented_signatures() -> dict[str, str]:
    text = (DOCS / "hooks.md").read_text()
    blocks = re.findall(r"^### (prodready_\w+)\n\n```python\n(.+?)\n```", text, re.M | re.S)
    return dict(blocks)


def test_every_hookspec_is_documented_with_its_signature():
    assert documented_signatures() == hookspec_signatures()


def test_every_hookspec_has_a_full_docstring():
    for name, function in inspect.getmembers(hookspecs, inspect.isfunction):
        if name.startswith("prodready_"):
            assert ".. versionadded::" in (function.__doc__ or ""), name


def installed_settings() -> dict[str, AppSettings]:
    found = {}
    for package in PACKAGES:
        if importlib.util.find_spec(package) is not None:
            found[package] = importlib.import_module(f"{package}.conf").conf
    return found


def documented_settings() -> dict[str, set[str]]:
    """Setting names per package section (``## prodready_security``) of docs/settings.md."""
    text = (DOCS / "settings.md").read_text()
    sections = re.split(r"^## `(\w+)`$", text, flags=re.M)
    return {
        package: set(re.findall(r"^\| `(PRODREADY_[A-Z0-9_]+)`", body, re.M))
        for package, body in zip(sections[1::2], sections[2::2], strict=True)
    }


@pytest.mark.parametrize("package", sorted(installed_settings()))
def test_settings_docs_list_exactly_each_packages_settings(package):
    documented = documented_settings().get(package, set())
    known = set(installed_settings()[package].setting_names())
    assert sorted(known - documented) == [], "missing from docs/settings.md"
    assert sorted(documented - known) == [], "documented but not a setting"


def test_every_check_id_is_documented():
    source = Path(__file__).resolve().parents[1] / "src" / "prodready"
    ids = {
        found
        for path in source.rglob("*.py")
        for found in re.findall(r"id=\"(prodready\.[EW]\d{3})\"", path.read_text())
    }
    documented = set(
        re.findall(r"^\| `(prodready\.[EW]\d{3})`", (DOCS / "operations.md").read_text(), re.M)
    )
    assert len(ids) >= 8
    assert sorted(ids - documented) == [], "add these ids to docs/operations.md"
    assert sorted(documented - ids) == [], "documented ids that no check uses"
