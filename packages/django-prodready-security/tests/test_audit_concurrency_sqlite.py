"""Concurrent writers on a SQLite file: the write lock taken first keeps one chain."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import override_settings

from prodready_security.audit.verify import verify_chain
from tests.audit_support import events, write_events

ALIAS = "audit_sqlite_file"
WRITERS = 4
EVENTS_PER_WRITER = 25


@pytest.fixture
def sqlite_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, django_db_blocker: object
) -> Iterator[str]:
    settings_dict = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(tmp_path / "audit.sqlite3"),
        "OPTIONS": {"timeout": 30},
    }
    configured = connections.configure_settings({"default": {}, ALIAS: settings_dict})[ALIAS]
    monkeypatch.setitem(connections.settings, ALIAS, configured)
    with django_db_blocker.unblock(), override_settings(PRODREADY_AUDIT_DATABASE=ALIAS):  # type: ignore[attr-defined]
        call_command("migrate", database=ALIAS, verbosity=0)
        try:
            yield ALIAS
        finally:
            connections[ALIAS].close()
            del connections[ALIAS]


def test_concurrent_threads_leave_one_linear_chain(sqlite_file: str) -> None:
    start = threading.Barrier(WRITERS)

    def writer(number: int) -> None:
        start.wait()
        write_events(number, EVENTS_PER_WRITER)

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    stored = events(sqlite_file)
    expected = WRITERS * EVENTS_PER_WRITER
    assert [event.sequence for event in stored] == list(range(1, expected + 1))
    assert len({event.prev_hash for event in stored}) == expected
    assert verify_chain(sqlite_file).ok
