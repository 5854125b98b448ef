"""A crashed run's leftovers: listed by `backup list --orphans`, removed by prune after a grace."""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import override_settings

from prodready_backup.backups import create_backup, list_backups
from prodready_backup.prune import prune
from prodready_backup.targets import get_target

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "other"]),
    pytest.mark.usefixtures("backup_dir"),
]

SETTINGS = override_settings(
    PRODREADY_BACKUP_DATABASES=["other"], PRODREADY_BACKUP_LEFTOVER_GRACE_SECONDS=600
)


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


@pytest.fixture
def crashed_runs(backup_dir: Path) -> dict[str, Path]:
    """A kept backup, and what killed runs leave next to it, old and fresh."""
    Group.objects.using("other").create(name="x")
    with SETTINGS:
        kept = create_backup(get_target("db-other"))
        orphan = create_backup(get_target("db-other"))
    folder = backup_dir / "db-other"
    (folder / f"{orphan.backup_id}.json").unlink()  # its manifest deleted
    old_partial = folder / ".20260101T000000Z-dead00.backup.partial"
    old_partial.write_bytes(b"PRDYBKP\x00" + b"x" * 1000)
    fresh_partial = folder / ".20260101T000000Z-live00.backup.partial"
    fresh_partial.write_bytes(b"PRDYBKP\x00")  # maybe a run in progress elsewhere
    for path in (old_partial, folder / f"{orphan.backup_id}.backup"):
        age(path, 3600)
    return {
        "kept": folder / f"{kept.backup_id}.backup",
        "orphan": folder / f"{orphan.backup_id}.backup",
        "old partial": old_partial,
        "fresh partial": fresh_partial,
    }


@SETTINGS
def test_list_orphans_shows_every_leftover(crashed_runs: dict[str, Path]) -> None:
    out = io.StringIO()
    call_command("backup", "list", "--orphans", "--format", "json", stdout=out)
    rows = {row["name"]: row["kind"] for row in json.loads(out.getvalue())}
    assert rows == {
        f"db-other/{crashed_runs['orphan'].name}": "no manifest",
        f"db-other/{crashed_runs['old partial'].name}": "partial",
        f"db-other/{crashed_runs['fresh partial'].name}": "partial",
    }
    text = io.StringIO()
    call_command("backup", "list", "--orphans", stdout=text)
    assert "removes those older than 600 s" in text.getvalue()
    # They are not backups.
    assert [i.manifest.object_name for i in list_backups("db-other")] == [
        f"db-other/{crashed_runs['kept'].name}"
    ]


@SETTINGS
def test_prune_removes_leftovers_older_than_the_grace_period(
    crashed_runs: dict[str, Path],
) -> None:
    (dry,) = prune(dry_run=True)
    assert sorted(leftover.name for leftover in dry.leftovers) == sorted(
        f"db-other/{crashed_runs[k].name}" for k in ("orphan", "old partial")
    )
    assert all(path.exists() for path in crashed_runs.values())

    out = io.StringIO()
    call_command("backup", "prune", stdout=out)

    assert f"deleted  db-other/{crashed_runs['old partial'].name}  (leftover: partial)" in (
        out.getvalue()
    )
    assert {name for name, path in crashed_runs.items() if path.exists()} == {
        "kept",
        "fresh partial",
    }


@SETTINGS
def test_without_leftovers_list_orphans_says_so() -> None:
    out = io.StringIO()
    call_command("backup", "list", "--orphans", stdout=out)
    assert out.getvalue() == "No leftovers of crashed runs.\n"
