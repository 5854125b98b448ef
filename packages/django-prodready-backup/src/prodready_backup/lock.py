"""One run per target at a time, across processes and hosts.

Two implementations, chosen by the default database:

- PostgreSQL: a session advisory lock (``pg_try_advisory_lock``) on a connection of its
  own. The server releases it when that connection ends, so a crashed or killed run
  frees it at once, on any host.
- otherwise: the shared cache's atomic ``add`` with a short expiry and a random owner
  token, host and pid. The owner's heartbeat extends the expiry every
  ``PRODREADY_BACKUP_LOCK_HEARTBEAT_SECONDS``; a crashed or killed owner stops beating,
  and its lock expires after three missed beats. Only the owner deletes it (a later run
  that took over an expired lock keeps its own). Use a shared cache (Redis, Memcached,
  the database cache) when several hosts back up: a local-memory cache only excludes
  runs within one process.

A run that finds its target's lock free but a "running" record for it knows that the
recorded run died (its lock would be held otherwise) and marks it failed.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import secrets
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections

from prodready_backup.conf import conf
from prodready_backup.connecting import connect
from prodready_backup.errors import LockHeld

logger = logging.getLogger(__name__)


def _advisory_key(target: str) -> int:
    digest = hashlib.sha256(f"prodready_backup:{target}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def advisory_lock(target: str, alias: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    what = f"the {alias} database, which holds the lock of {target}"
    connection: Any = connect(alias, what, autocommit=True)
    key = _advisory_key(target)
    held = False
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            held = cursor.fetchone()[0]
            if not held:
                raise LockHeld(f"A backup of {target} is already running (advisory lock held).")
        yield
    finally:
        # Released before this returns: the server ends a closed session a moment later,
        # and a run that starts at once would find the lock still held. Closing the
        # session releases it in any case (a broken connection, a killed run).
        if held:
            with contextlib.suppress(Exception), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        connection.close()


#: Heartbeats a lock may miss before it expires: its owner is taken for dead.
MISSED_HEARTBEATS = 3


@contextmanager
def cache_lock(target: str, alias: str | None = None) -> Iterator[None]:
    alias = alias or conf.BACKUP_LOCK_CACHE
    cache = caches[alias]
    key = f"prodready_backup:lock:{target}"
    interval = conf.BACKUP_LOCK_HEARTBEAT_SECONDS
    ttl = interval * MISSED_HEARTBEATS
    owner = f"{secrets.token_hex(16)} {socket.gethostname()} {os.getpid()}"
    if not cache.add(key, owner, timeout=ttl):
        raise LockHeld(
            f"A backup of {target} is already running (cache lock held{_holder(cache.get(key))})."
        )
    heartbeat = _Heartbeat(alias, key, owner, interval, ttl)
    try:
        yield
    finally:
        heartbeat.stop()
        if cache.get(key) == owner:
            cache.delete(key)


def _holder(value: object) -> str:
    parts = value.split(" ") if isinstance(value, str) else []
    return f" by process {parts[2]} on {parts[1]}" if len(parts) == 3 else ""


class _Heartbeat:
    """Extends the lock's expiry every ``interval`` seconds while its owner is alive.

    A killed or crashed owner stops beating, and its lock expires ``ttl`` seconds later:
    the next run then takes it and marks the dead run's record failed.
    """

    def __init__(self, alias: str, key: str, owner: str, interval: float, ttl: float) -> None:
        self._alias, self._key, self._owner = alias, key, owner
        self._interval, self._ttl = interval, ttl
        self._stopped = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"prodready-backup-lock-{key}", daemon=True
        )
        self._thread.start()

    def _run(self) -> None:
        cache = caches[self._alias]  # this thread's own connection
        try:
            while not self._stopped.wait(self._interval):
                if cache.get(self._key) != self._owner:
                    return  # expired and taken over: not ours to extend
                cache.touch(self._key, self._ttl)
        except Exception:
            logger.exception("The backup lock's heartbeat failed; the lock may expire")
        finally:
            connections.close_all()  # a database cache opened one in this thread

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()


def target_lock(target: str) -> Any:
    if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        return advisory_lock(target)
    return cache_lock(target)
