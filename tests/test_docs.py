"""docs/operations.md lists exactly the packages' check and readiness ids; docs/settings.md is
generated from the settings' docstrings."""

import ast
import importlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from tests import settings_doc

ROOT = Path(__file__).resolve().parents[1]
OPERATIONS = ROOT / "docs" / "operations.md"
PLUGINS = ("prodready_security", "prodready_backup", "prodready_observability")
ID = r"({package}\.[EWR]\d{{3}})"


def used_ids(package: str) -> set[str]:
    """Ids written anywhere in the package's sources, docstrings included."""
    sources = ROOT.glob(f"packages/*/src/{package}/**/*.py")
    pattern = re.compile(rf"\b{ID.format(package=package)}\b")
    return {found for path in sources for found in pattern.findall(path.read_text())}


def documented_ids(package: str) -> set[str]:
    pattern = re.compile(rf"^\| `{ID.format(package=package)}` \|", re.M)
    return set(pattern.findall(OPERATIONS.read_text()))


@pytest.mark.parametrize("package", PLUGINS)
def test_operations_docs_list_exactly_each_packages_ids(package: str) -> None:
    used = used_ids(package)
    documented = documented_ids(package)
    assert any(id_.split(".")[1].startswith("R") for id_ in used), "no readiness id found"
    assert any(not id_.split(".")[1].startswith("R") for id_ in used), "no check id found"
    assert sorted(used - documented) == [], "add these ids to docs/operations.md"
    assert sorted(documented - used) == [], "documented ids that no source uses"


@pytest.mark.parametrize("package", ["prodready", *PLUGINS])
def test_every_documented_id_is_written_as_a_literal_string(package: str) -> None:
    """grep finds each id where it is reported, not only in a docstring."""
    sources = "\n".join(
        path.read_text() for path in ROOT.glob(f"packages/*/src/{package}/**/*.py")
    )
    documented = documented_ids(package)
    assert documented
    assert sorted(id_ for id_ in documented if f'"{id_}"' not in sources) == []


def test_settings_md_is_generated_from_the_settings_docstrings() -> None:
    assert settings_doc.SETTINGS_MD.read_text() == settings_doc.render(), (
        f"docs/settings.md is out of date: run `{settings_doc.REGENERATE}`"
    )


@pytest.mark.parametrize("package", settings_doc.PACKAGES)
def test_each_documented_literal_default_is_the_code_default(package: str) -> None:
    conf = importlib.import_module(f"{package}.conf").conf
    compared = 0
    for name, _type, default, _description in settings_doc.settings_of(package):
        literal = re.fullmatch(r"`([^`]+)`", default)
        if literal is None:  # prose, such as `BASE_DIR / "backups"`: nothing to compare
            continue
        try:
            documented = ast.literal_eval(literal[1])
        except (ValueError, SyntaxError):
            continue
        with override_settings():
            if hasattr(settings, name):
                delattr(settings, name)
            assert getattr(conf, name.removeprefix("PRODREADY_")) == documented, name
        compared += 1
    assert compared >= 5


@pytest.mark.parametrize(
    ("docstring", "missing"),
    [
        (None, "description, type, default"),
        ("Seconds to wait.", "type, default"),
        ("Seconds to wait.\n\n:type: number", "default"),
        (":type: number\n:default: ``1``", "description"),
    ],
)
def test_a_setting_without_its_description_type_or_default_is_named(
    docstring: str | None, missing: str
) -> None:
    with pytest.raises(settings_doc.UndocumentedSetting) as raised:
        settings_doc.parse("PRODREADY_WAIT", docstring)
    needs = f"PRODREADY_WAIT: its property's docstring needs {missing} "
    assert str(raised.value).startswith(needs)


def test_a_docstring_field_may_run_over_several_lines() -> None:
    docstring = "Paths\n    not logged.\n\n:type: list\n    of paths\n:default: ``[]``\n"
    parsed = settings_doc.parse("PRODREADY_X", docstring)
    assert parsed == ("list of paths", "`[]`", "Paths not logged.")
