"""``backup create`` reports progress on stderr, throttled; the help states the exit codes."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import call_command

from prodready.plugins import hookimpl
from prodready_backup.backups import create_backup
from prodready_backup.management.commands import backup as command
from prodready_backup.pipeline import Counters
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


def test_help_states_the_exit_codes() -> None:
    text = command.Command().create_parser("manage.py", "backup").format_help()
    flat = " ".join(text.split())
    assert "Exit status: 0 success; 1 the operation failed" in flat
    assert "2 bad input" in flat
