"""One run per target at a time, across processes and hosts.

Two implementations, chosen by the default database:

- PostgreSQL: a session advisory lock (``pg_try_advisory_lock``) on a connection of its
  own. The server releases it when that connection ends, so a crashed or killed run
  frees it at once, on any host.
- otherwise: the shared cache's atomic ``add`` with an expiry and a random owner token.
  Only the owner deletes it (a later run that took over an expired lock keeps its own);
  the expiry (``PRODREADY_BACKUP_LOCK_TIMEOUT``) frees the lock of a crashed run. Use a
  shared cache (Redis, Memcached, the database cache) when several hosts back up: a
  local-memory cache only excludes runs within one process.

A run that finds its target's lock free but a "running" record for it knows that the
recorded run died (its lock would be held otherwise) and marks it failed.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections

from prodready_backup.conf import conf
from prodready_backup.connecting import connect
from prodready_backup.errors import LockHeld


def _advisory_key(target: str) -> int:
    digest = hashlib.sha256(f"prodready_backup:{target}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def advisory_lock(target: str, alias: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    what = f"the {alias} database, which holds the lock of {target}"
    connection: Any = connect(alias, what, autocommit=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [_advisory_key(target)])
            if not cursor.fetchone()[0]:
                raise LockHeld(f"A backup of {target} is already running (advisory lock held).")
        yield
    finally:
        # Closing the session releases the lock, whatever happened.
        connection.close()


@contextmanager
def cache_lock(target: str, alias: str | None = None) -> Iterator[None]:
    cache = caches[alias or conf.BACKUP_LOCK_CACHE]
    key = f"prodready_backup:lock:{target}"
    token = secrets.token_hex(16)
    if not cache.add(key, token, timeout=conf.BACKUP_LOCK_TIMEOUT):
        raise LockHeld(f"A backup of {target} is already running (cache lock held).")
    try:
        yield
    finally:
        if cache.get(key) == token:
            cache.delete(key)


def target_lock(target: str) -> Any:
    if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        return advisory_lock(target)
    return cache_lock(target)
