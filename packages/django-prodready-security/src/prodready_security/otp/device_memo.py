"""This process's copy of the device cache's answers, dropped as soon as a device changes.

``device_cache`` answers, on every signed-in request, whose verified device the
session holds or whether a user without one has enrolled: the one Redis round trip the
stack would make there. When the ``default`` cache is Redis, each process also keeps
the answers it got, and listens on a Redis channel on which every process announces
the cache keys of the devices it saved or deleted (``device_cache.forget``). A kept
answer is dropped when its key is announced and when its cache entry expires; all are
dropped, and none is kept, whenever the listener is not subscribed. Then every request
asks the cache, as without this module.

Two rules keep an answer from outliving a change:

- An answer is kept only if no announcement arrived, and the listener stayed
  subscribed, from before the cache was asked until after it answered (``epoch``): a
  read that crossed an announcement cannot undo it.
- A connection that dies without an error (a blackholed Redis) is found by the
  listener's ``PING`` after ``PING_EVERY`` quiet seconds, answered within as many: so a
  change announced while this process could not hear it is trusted here for at most
  about twice ``PING_EVERY`` seconds, and only on such a failure.

The listener is one daemon thread per process, started by the first lookup (so after
gunicorn or Celery forked their workers), on a connection of its own.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from redis import Redis

logger = logging.getLogger(__name__)

CHANNEL = "prodready:otp:device-changed"
PING_EVERY = 2.0  # quiet seconds before the listener checks its connection
RETRY_AFTER = 1.0  # seconds between a lost connection and the next try
MAX_KEPT = 10_000  # answers; past this the copy starts afresh


class Memo:
    """The kept answers of one process; ``start`` starts its listener."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.kept: dict[str, tuple[Any, float]] = {}
        self.epoch = 0  # moves on every announcement and every change of ``listening``
        self.listening = False
        self.stopping = False
        self.thread: threading.Thread | None = None

    def get(self, key: str) -> Any:
        """The kept value of the cache's ``key``, or None."""
        found = self.kept.get(key)
        if found is None:
            return None
        value, until = found
        if time.monotonic() >= until:
            self.kept.pop(key, None)
            return None
        return value

    def keep(self, key: str, value: Any, seconds: float, epoch: int) -> None:
        """Keep what the cache answered for ``seconds``, unless anything changed since
        ``epoch``."""
        with self.lock:
            if not self.listening or epoch != self.epoch or seconds <= 0:
                return
            if len(self.kept) >= MAX_KEPT:
                self.kept.clear()
            self.kept[key] = (value, time.monotonic() + seconds)

    def announced(self, key: str) -> None:
        with self.lock:
            self.epoch += 1
            self.kept.pop(key, None)

    def set_listening(self, listening: bool) -> None:
        """(Re)subscribed or lost: announcements may have been missed either way."""
        with self.lock:
            self.epoch += 1
            self.kept.clear()
            self.listening = listening

    def start(self, client: Redis, channel: str) -> None:
        with self.lock:
            if self.thread is not None and self.thread.is_alive():
                return
            thread = threading.Thread(
                target=_listen,
                args=(self, client, channel),
                name="prodready-otp-device-memo",
                daemon=True,
            )
            try:
                thread.start()
            except RuntimeError:  # at interpreter shutdown, or out of threads: keep nothing
                logger.warning("Could not start the 2FA announcements listener")
                return
            self.thread = thread

    def stop(self, timeout: float = 10) -> None:
        """End the listener (tests); it notices within ``PING_EVERY`` seconds."""
        with self.lock:
            self.stopping, thread = True, self.thread
        if thread is not None:
            thread.join(timeout)
        self.set_listening(False)


memo = Memo()


def _forked() -> None:
    global memo
    memo = Memo()  # the parent's listener did not come along


os.register_at_fork(after_in_child=_forked)


def _listen(memo: Memo, client: Redis, channel: str) -> None:
    while not memo.stopping:
        pubsub = client.pubsub()
        try:
            pubsub.subscribe(channel)
            _hear(memo, pubsub)
        except Exception:  # the connection is gone; ask the cache until it is back
            # Once per outage: while Redis stays down, every retry fails the same way.
            log = logger.warning if memo.listening else logger.debug
            log("2FA device announcements unheard; asking the cache until back", exc_info=True)
        finally:
            memo.set_listening(False)
            try:
                pubsub.close()
            except Exception:  # closing a broken connection may fail too
                logger.debug("closing the announcements connection failed", exc_info=True)
        if not memo.stopping:
            time.sleep(RETRY_AFTER)


def _hear(memo: Memo, pubsub: Any) -> None:
    heard, pinged = time.monotonic(), None
    while not memo.stopping:
        message = pubsub.get_message(timeout=PING_EVERY)
        now = time.monotonic()
        if message is None:
            if pinged is not None and now - pinged >= PING_EVERY:
                raise TimeoutError(f"no answer to PING within {PING_EVERY:g} s")
            if pinged is None and now - heard >= PING_EVERY:
                pubsub.ping()
                pinged = now
            continue
        heard, pinged = now, None
        if message["type"] == "subscribe":  # also after redis-py reconnected by itself
            memo.set_listening(True)
        elif message["type"] == "message":
            data = message["data"]
            memo.announced(data.decode() if isinstance(data, bytes) else str(data))
