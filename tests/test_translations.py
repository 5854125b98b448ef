"""Every Polish catalogue compiles, is complete, and is up to date with its sources.

gettext's tools (msgfmt, xgettext) come from Debian's ``gettext`` package; without them
these tests skip, or fail under ``PRODREADY_TEST_SERVICES=required`` (CI installs them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from prodready._ci import missing_tool

ROOT = Path(__file__).resolve().parents[1]
PLURAL_FORMS = (
    "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
)
# The directory makemessages runs in (it holds locale/): each package's import package,
# and the example project's app.
IMPORT_NAMES = {
    "django-prodready-core": "prodready",
    "django-prodready-security": "prodready_security",
    "django-prodready-backup": "prodready_backup",
    "django-prodready-observability": "prodready_observability",
}
SOURCES = {dist: ROOT / "packages" / dist / "src" / name for dist, name in IMPORT_NAMES.items()}
SOURCES["example_project"] = ROOT / "example_project" / "school"  # the example's own strings
CATALOGUE = Path("locale/pl/LC_MESSAGES/django.po")

parametrize_sources = pytest.mark.parametrize("source", SOURCES.values(), ids=list(SOURCES))


def gettext_tools() -> None:
    missing = [tool for tool in ("msgfmt", "xgettext", "msgmerge") if not shutil.which(tool)]
    if missing:
        missing_tool(
            f"{', '.join(missing)} not found: install Debian's gettext package "
            "(apt-get install gettext)"
        )


def entries(catalogue: polib.POFile | polib.MOFile) -> dict[tuple[str | None, str], object]:
    """Every translated message: (context, msgid) to its msgstr, or its plural forms."""
    return {
        (entry.msgctxt, entry.msgid): (
            tuple(sorted(entry.msgstr_plural.items())) if entry.msgid_plural else entry.msgstr
        )
        for entry in catalogue
        if not entry.obsolete
    }


@parametrize_sources
def test_catalogue_compiles_with_msgfmt_check(source: Path, tmp_path: Path) -> None:
    gettext_tools()
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "django.mo"), CATALOGUE],
        cwd=source,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # Statistics go to stderr: "N translated messages." and nothing fuzzy or untranslated.
    assert "fuzzy" not in result.stderr
    assert "untranslated" not in result.stderr


@parametrize_sources
def test_catalogue_is_complete_and_polish(source: Path) -> None:
    po = polib.pofile(str(source / CATALOGUE))
    assert po.metadata["Language"] == "pl"
    assert po.metadata["Plural-Forms"] == PLURAL_FORMS
    assert not po.metadata_is_fuzzy
    assert [entry.msgid for entry in po.fuzzy_entries()] == []
    assert [entry.msgid for entry in po.untranslated_entries()] == []
    for entry in po.translated_entries():
        if entry.msgid_plural:
            assert sorted(entry.msgstr_plural) == [0, 1, 2], entry.msgid
            assert all(entry.msgstr_plural.values()), entry.msgid
    assert len(po.translated_entries()) > 0


@parametrize_sources
def test_compiled_catalogue_matches_the_po_file(source: Path) -> None:
    po = polib.pofile(str(source / CATALOGUE))
    mo = polib.mofile(str((source / CATALOGUE).with_suffix(".mo")))
    compiled = {key: value for key, value in entries(mo).items() if key != (None, "")}
    assert compiled == entries(po), (
        f"{CATALOGUE.with_suffix('.mo')} is stale: run `django-admin compilemessages` in {source}"
    )


@parametrize_sources
def test_catalogue_covers_every_marked_string(source: Path, tmp_path: Path) -> None:
    """makemessages over a copy of the sources finds exactly the shipped msgids."""
    gettext_tools()
    copy = tmp_path / source.name
    shutil.copytree(
        source, copy, ignore=shutil.ignore_patterns("locale", "__pycache__", "migrations")
    )
    (copy / "locale").mkdir()
    # Outside any Django project: makemessages configures minimal settings itself.
    # -P: the copy's own modules (observability's logging.py) must not shadow the stdlib.
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-P", "-m", "django", "makemessages", "-l", "pl", "--no-location"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning" not in result.stderr.lower(), result.stderr
    found = set(entries(polib.pofile(str(copy / CATALOGUE)))) - {(None, "")}
    shipped = set(entries(polib.pofile(str(source / CATALOGUE))))
    fix = f"run `django-admin makemessages -l pl --no-location` in {source.relative_to(ROOT)}"
    missing = sorted(msgid for _context, msgid in found - shipped)
    assert not missing, f"strings missing from the catalogue ({fix}, then translate): {missing}"
    stale = sorted(msgid for _context, msgid in shipped - found)
    assert not stale, f"strings no source marks any more ({fix}): {stale}"
