"""What plugins return from hooks whose objects core does not define itself.

Core checks each hook's results against a declared type and names the plugin at
fault (``prodready.hooks``). Backup targets and metrics collectors are defined by
the packages that use them, so core declares the part of their contract it can
check: the attributes and methods they must have.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class BackupTarget(Protocol):
    """Something to back up (``prodready_backup.targets.BackupTarget`` implements it).

    ``name`` is unique and safe in a path; ``engine`` says what a dump restores into.
    """

    name: str
    engine: str

    def open_dump(self) -> AbstractContextManager[Any]: ...

    def restore(self, chunks: Iterable[bytes]) -> None: ...

    def restore_test(self, chunks: Iterable[bytes]) -> Any: ...


@runtime_checkable
class MetricsCollector(Protocol):
    """A prometheus-client collector: ``collect()`` yields its metric families."""

    def collect(self) -> Iterable[Any]: ...
