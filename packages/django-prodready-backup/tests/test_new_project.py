"""A site made by ``startproject`` with the backup app added, run as its users run it.

``startproject`` leaves MEDIA_ROOT empty: a media target on by default would archive
the project directory, with the settings, the database and earlier backups.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("new-project")
    run(folder, "-m", "django", "startproject", "mysite", str(folder), check=True)
    with (folder / "mysite" / "settings.py").open("a") as settings:
        settings.write('\nINSTALLED_APPS += ["prodready", "prodready_backup"]\n')
    return folder


def run(folder: Path, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    # The project's own settings, not this test run's.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PRODREADY_"))}
    return subprocess.run(
        [sys.executable, *args],
        cwd=folder,
        env=env,
        stdin=subprocess.DEVNULL,  # as under cron or CI: no terminal
        capture_output=True,
        text=True,
        check=check,
    )


def manage(site: Path, *args: str, settings: str = "") -> subprocess.CompletedProcess[str]:
    """``manage.py`` with ``settings`` added to the end of the project's settings."""
    module = site / "mysite" / "settings.py"
    original = module.read_text()
    module.write_text(original + settings)
    try:
        return run(site, "manage.py", *args)
    finally:
        module.write_text(original)


def test_a_new_project_passes_its_checks(site: Path) -> None:
    result = manage(site, "check")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_media_root_set_to_the_project_fails_the_check(site: Path) -> None:
    result = manage(site, "check", settings="MEDIA_ROOT = BASE_DIR\n")
    assert result.returncode == 1
    assert "prodready_backup.E008" in result.stderr
    assert f"stores its files in {site.resolve()}, which is the project directory" in (
        result.stderr
    )


def test_media_asked_for_without_a_media_root_fails_the_check(site: Path) -> None:
    result = manage(site, "check", settings="PRODREADY_BACKUP_MEDIA = True\n")
    assert result.returncode == 1
    assert "prodready_backup.E007" in result.stderr
    assert "MEDIA_ROOT is empty" in result.stderr


def test_production_without_keys_fails_the_check(site: Path) -> None:
    production = 'DEBUG = False\nALLOWED_HOSTS = ["example.com"]\n'
    result = manage(site, "check", settings=production)
    assert result.returncode == 1
    assert "prodready_backup.E009" in result.stderr
    allowed = production + "PRODREADY_BACKUP_ALLOW_PLAINTEXT = True\n"
    assert manage(site, "check", settings=allowed).returncode == 0


def test_the_media_backup_refuses_the_project_without_the_checks(site: Path) -> None:
    # A Celery worker or cron job runs no system checks: the target refuses by itself.
    assert manage(site, "migrate", "-v", "0").returncode == 0
    settings = "MEDIA_ROOT = BASE_DIR\n"
    create = ("backup", "--skip-checks", "create", "--target")
    result = manage(site, *create, "media", settings=settings)
    assert result.returncode == 1
    assert "which is the project directory" in result.stderr
    assert "(prodready_backup.E008)" in result.stderr
    media = site / "backups" / "media"
    assert not media.exists() or not any(media.iterdir())
    # The database of the new site backs up as before.
    objects = site / "backups" / "db-default"
    before = len(list(objects.glob("*.backup")))
    result = manage(site, *create, "db-default")
    assert result.returncode == 0, result.stderr
    assert len(list(objects.glob("*.backup"))) == before + 1


def test_a_restore_without_a_terminal_says_to_pass_yes(site: Path) -> None:
    assert manage(site, "migrate", "-v", "0").returncode == 0
    assert manage(site, "backup", "create", "--target", "db-default").returncode == 0
    listed = manage(site, "backup", "list", "--format", "json")
    backup_id = json.loads(listed.stdout)[0]["backup_id"]
    result = manage(site, "backup", "restore", backup_id)
    assert result.returncode == 2
    assert "there is no terminal to answer it: pass --yes" in result.stderr
    assert "Traceback" not in result.stderr
    result = manage(site, "backup", "restore", backup_id, "--yes")
    assert result.returncode == 0, result.stderr
    assert f"Restored {backup_id} into db-default." in result.stdout
