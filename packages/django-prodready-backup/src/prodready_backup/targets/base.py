"""The contract of a backup target: what can be dumped, restored and restore-tested."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field


@dataclass
class Facts:
    """What a target says about itself at dump time; copied into the manifest."""

    server_version: str = ""
    database: str = ""
    migrations: list[str] = field(default_factory=list)
    row_counts: dict[str, int] = field(default_factory=dict)


@dataclass
class Dump:
    """An open dump: its bytes (consume once) and the facts of the same snapshot."""

    chunks: Iterator[bytes]
    facts: Facts


@dataclass
class RestoreTest:
    """What a restore into a scratch copy found."""

    row_counts: dict[str, int]
    migrations: list[str]


class BackupTarget:
    """Something to back up. Projects add their own through ``prodready_backup_targets``.

    ``name`` is unique and safe in a path (``db-default``, ``media``); ``engine`` says
    what the dump can be restored into (a restore refuses a backup of another engine).
    ``open_dump()`` is a context manager yielding a :class:`Dump`; leaving it releases
    every resource (subprocess, temporary file) even if the dump was not consumed.
    ``restore()`` loads a dump all at once or not at all; ``restore_test()`` loads it
    into a scratch copy that it removes afterwards. ``database_alias`` names the alias in
    DATABASES that ``restore()`` replaces, if any: a restore of the database holding the
    backup records keeps those records (see ``record_keeping``). A target may also have
    ``current_facts()`` returning the live :class:`Facts`: a restore then compares the
    row counts it left with the manifest's. A ``restore()`` that knows those counts
    without reading the data again returns them (``{table: rows}``), and they are
    compared instead.
    """

    name: str = ""
    engine: str = ""
    database_alias: str | None = None

    def open_dump(self) -> AbstractContextManager[Dump]:
        raise NotImplementedError

    def restore(self, chunks: Iterable[bytes]) -> dict[str, int] | None:
        raise NotImplementedError

    def restore_test(self, chunks: Iterable[bytes]) -> RestoreTest:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


class DatabaseTarget(BackupTarget):
    """A database of DATABASES, named ``db-<alias>``, which ``restore()`` replaces."""

    def __init__(self, alias: str) -> None:
        self.alias = self.database_alias = alias
        self.name = f"db-{alias}"
