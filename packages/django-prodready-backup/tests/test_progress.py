"""``backup create|verify|restore`` report progress on stderr, throttled; the help states
the exit codes."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import override_settings

from prodready.plugins import hookimpl
from prodready_backup.backups import create_backup
from prodready_backup.management.commands import backup as command
from prodready_backup.models import BackupRecord
from prodready_backup.progress import Counters
from prodready_backup.targets import BackupTarget, Dump, Facts, get_target

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "other"]),
    pytest.mark.usefixtures("backup_dir"),
]

PIECES = 6


class Slow(BackupTarget):
    """Six incompressible MiB, a little slowly, like a dump of a busy database."""

    name = "slow"
    engine = "files"

    @contextmanager
    def open_dump(self) -> Iterator[Dump]:
        def chunks() -> Iterator[bytes]:
            for _ in range(PIECES):
                time.sleep(0.05)
                yield os.urandom(1024 * 1024)

        yield Dump(chunks(), Facts())


@pytest.fixture(autouse=True)
def slow(prodready_plugin) -> None:  # type: ignore[no-untyped-def]
    class Plugin:
        @hookimpl
        def prodready_backup_targets(self) -> list[BackupTarget]:
            return [Slow()]

    prodready_plugin(Plugin())


def test_progress_is_throttled() -> None:
    seen: list[tuple[int, int]] = []

    def report(counters: Counters) -> None:
        seen.append((counters.source_bytes, counters.stored_bytes))

    create_backup(get_target("slow"), progress=report, progress_every=3600)
    assert seen == []  # a run shorter than the interval prints nothing

    create_backup(get_target("slow"), progress=report, progress_every=0.04)
    assert 2 <= len(seen) <= PIECES + 2
    assert seen == sorted(seen)  # monotonic counters
    assert seen[-1][0] > 0
    assert seen[-1][1] > 0


def test_create_prints_progress_to_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(command, "PROGRESS_EVERY_LOG", 0.04)
    out, err = StringIO(), StringIO()
    call_command("backup", "create", "--target", "slow", stdout=out, stderr=err)
    lines = err.getvalue().splitlines()
    assert len(lines) >= 2
    pattern = r"  slow: [\d.]+ [KMG]?B read, [\d.]+ [KMG]?B written, \d+ s \([\d.]+ [KMG]?B/s\)"
    assert all(re.fullmatch(pattern, line) for line in lines), lines
    assert "Backing up slow" in out.getvalue()  # progress never mixes into stdout
    assert "progress" not in out.getvalue()


def test_verbosity_zero_prints_no_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(command, "PROGRESS_EVERY_LOG", 0.0)
    err = StringIO()
    call_command(
        "backup", "create", "--target", "slow", verbosity=0, stdout=StringIO(), stderr=err
    )
    assert err.getvalue() == ""


# Verify and restore, on the real databases: SQLite files and PostgreSQL.

DATABASES = [
    "other",
    pytest.param(
        "postgres",
        marks=[
            pytest.mark.requires_postgres,
            pytest.mark.django_db(transaction=True, databases=["default", "other", "postgres"]),
        ],
    ),
]
SIZE = r"[\d.]+ [KMG]?B"
READ = (
    rf"  (?P<id>\S+) (?P<what>check|restore test|restore): "
    rf"{SIZE} of {SIZE} read \((?P<share>\d+)%\), \d+ s \({SIZE}/s\)"
)
SAFETY = rf"  safety backup: {SIZE} read, {SIZE} written, \d+ s \({SIZE}/s\)"


@pytest.fixture
def database_backup(request: pytest.FixtureRequest) -> Iterator[BackupRecord]:
    """A backup of the ``alias`` database, its only target while the test runs."""
    alias = request.node.callspec.params["alias"]
    with override_settings(PRODREADY_BACKUP_DATABASES=[alias]):
        Group.objects.using(alias).bulk_create(Group(name=f"g{i:04}") for i in range(2000))
        yield create_backup(get_target(f"db-{alias}"))


def _run(monkeypatch: pytest.MonkeyPatch, *argv: str, verbosity: int = 1) -> tuple[str, str]:
    monkeypatch.setattr(command, "PROGRESS_EVERY_LOG", 0.0)  # every piece reports
    out, err = StringIO(), StringIO()
    call_command("backup", *argv, verbosity=verbosity, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _passes(lines: list[str], backup_id: str) -> list[str]:
    """The passes the progress lines report, in order, each line checked for its format."""
    passes: list[str] = []
    for line in lines:
        match = re.fullmatch(READ, line)
        if match:
            assert match["id"] == backup_id
            assert 0 <= int(match["share"]) <= 100
        else:
            assert re.fullmatch(SAFETY, line), line
        what = match["what"] if match else "safety backup"
        if not passes or passes[-1] != what:
            passes.append(what)
    return passes


@pytest.mark.parametrize("alias", DATABASES)
def test_verify_prints_progress_to_stderr(
    alias: str, database_backup: BackupRecord, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup_id = database_backup.backup_id
    out, err = _run(monkeypatch, "verify", backup_id)
    assert _passes(err.splitlines(), backup_id) == ["check", "restore test"]
    assert "OK in" in out
    assert "read (" not in out  # progress never mixes into stdout


@pytest.mark.parametrize("alias", DATABASES)
def test_restore_prints_progress_to_stderr(
    alias: str, database_backup: BackupRecord, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup_id = database_backup.backup_id
    Group.objects.using(alias).all().delete()
    out, err = _run(monkeypatch, "restore", backup_id, "--yes")
    # In order: the whole object is checked, the current data backed up, then loaded.
    assert _passes(err.splitlines(), backup_id) == ["check", "safety backup", "restore"]
    assert f"Restored {backup_id}" in out
    assert "read (" not in out
    assert Group.objects.using(alias).count() == 2000


@pytest.mark.parametrize("alias", DATABASES)
def test_verify_and_restore_print_no_progress_at_verbosity_zero(
    alias: str, database_backup: BackupRecord, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup_id = database_backup.backup_id
    _out, err = _run(monkeypatch, "verify", backup_id, verbosity=0)
    assert err == ""
    _out, err = _run(monkeypatch, "restore", backup_id, "--yes", verbosity=0)
    assert err == ""


def test_help_states_the_exit_codes() -> None:
    text = command.Command().create_parser("manage.py", "backup").format_help()
    flat = " ".join(text.split())
    assert "Exit status: 0 success; 1 the operation failed" in flat
    assert "2 bad input" in flat
