"""Shared fixtures: a fresh backup directory and a fresh key for every test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import override_settings

from prodready_backup.crypto import generate_key


@pytest.fixture
def key() -> str:
    return generate_key()


@pytest.fixture
def backup_dir(tmp_path: Path, key: str) -> Iterator[Path]:
    """Backups go to a temporary FileSystemStorage, encrypted with ``key``."""
    folder = tmp_path / "backups"
    with override_settings(
        PRODREADY_BACKUP_DIRECTORY=str(folder), PRODREADY_BACKUP_ENCRYPTION_KEYS=[key]
    ):
        yield folder


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Each test starts with an empty local-memory cache: locks, claims and cooldowns
    (keyed by user id, which the next test's users reuse) do not leak between tests."""
    cache.clear()
    yield
    cache.clear()
