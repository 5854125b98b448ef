"""Helpers to test health checks: scripted checks and a dependency that hangs."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from prodready.health.base import HealthCheck


@contextmanager
def silent_server() -> Iterator[tuple[str, int]]:
    """A TCP server on 127.0.0.1 that accepts connections and never answers.

    Yields ``(host, port)``: point a database ``HOST``/``PORT`` or a cache
    ``LOCATION`` at it to see how a check behaves when its dependency hangs.
    On exit every accepted connection is closed, which ends the clients' wait.
    """
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept_and_hold() -> None:
        while not stop.is_set():
            try:
                conn, _address = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            accepted.append(conn)

    thread = threading.Thread(target=accept_and_hold, name="silent-server", daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[:2]
    finally:
        stop.set()
        thread.join()
        listener.close()
        for conn in accepted:
            conn.close()


class FakeCheck(HealthCheck):
    """A check with a scripted outcome that counts its runs.

    It returns ``detail`` or raises ``error``; with ``block=True`` it waits until
    ``release`` is set, standing in for a dependency that hangs.
    """

    def __init__(
        self,
        name: str,
        *,
        critical: bool = True,
        detail: str | None = None,
        error: BaseException | None = None,
        block: bool = False,
        delay: float = 0.0,
        timeout: float | None = None,
    ) -> None:
        self.name = name
        self.critical = critical
        self.timeout = timeout
        self.detail = detail
        self.error = error
        self.delay = delay
        self.release = threading.Event()
        if not block:
            self.release.set()
        self._runs = 0
        self._lock = threading.Lock()

    @property
    def runs(self) -> int:
        with self._lock:
            return self._runs

    def check(self) -> str | None:
        with self._lock:
            self._runs += 1
        self.release.wait()
        time.sleep(self.delay)
        if self.error is not None:
            raise self.error
        return self.detail
