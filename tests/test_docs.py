"""docs/operations.md lists exactly the check and readiness ids the plugin packages use."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OPERATIONS = ROOT / "docs" / "operations.md"
PLUGINS = ("prodready_security", "prodready_backup", "prodready_observability")
ID = r"({package}\.[EWR]\d{{3}})"


def used_ids(package: str) -> set[str]:
    """Ids written anywhere in the package's sources, docstrings included.

    Observability builds its ids (``f"{PREFIX}.E001"``) and its module docstring lists
    them in full, so reading the text finds them too.
    """
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


# Observability's Sentry checks still build their ids from a prefix.
LITERAL_ID_PACKAGES = ("prodready_security", "prodready_backup")


@pytest.mark.parametrize("package", LITERAL_ID_PACKAGES)
def test_every_documented_id_is_written_as_a_literal_string(package: str) -> None:
    """grep finds each id where it is reported, not only in a docstring."""
    sources = "\n".join(
        path.read_text() for path in ROOT.glob(f"packages/*/src/{package}/**/*.py")
    )
    documented = documented_ids(package)
    assert documented
    assert sorted(id_ for id_ in documented if f'"{id_}"' not in sources) == []
