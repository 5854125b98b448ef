"""pytest plugin shipped with core: temporary plugins for your own tests.

    def test_my_check(prodready_plugin):
        class Plugin:
            @hookimpl
            def prodready_health_checks(self):
                return [MyCheck()]

        prodready_plugin(Plugin())
        ...

Every plugin registered through the fixture is unregistered when the test ends.

Real outages, without touching a shared service: :class:`RedisServer` is a redis-server
of the test's own to freeze (SIGSTOP: connections accepted, never answered) or stop;
:class:`TcpProxy` stands in front of a server (PostgreSQL, say) and refuses on demand::

    with RedisServer() as redis:  # CACHES pointed at redis.url
        redis.freeze()
        ...
    with TcpProxy("127.0.0.1", 5432) as proxy:  # DATABASES HOST/PORT = the proxy's
        proxy.refuse()  # cut open connections, refuse new ones
        ...

Counting what a page costs: the :func:`redis_round_trips` fixture counts the round trips
of every redis-py connection (a pipeline's commands go in one), so a test can pin a
view's Redis budget exactly::

    def test_home_page_budget(client, redis_round_trips):
        client.get("/")  # warm up
        redis_round_trips.count = 0
        client.get("/")
        assert redis_round_trips.count == 1
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Self

import pytest

from prodready._ci import missing_tool


@contextmanager
def register_temporarily(plugin: object, name: str | None = None) -> Iterator[object]:
    """Register ``plugin`` with the plugin manager for the duration of the block."""
    from prodready.plugins import get_plugin_manager

    pm = get_plugin_manager()
    pm.register(plugin, name=name)
    _forget_cached_results()
    try:
        pm.check_pending()
        yield plugin
    finally:
        pm.unregister(plugin)
        _forget_cached_results()


@pytest.fixture
def prodready_plugin() -> Iterator[Callable[..., Any]]:
    """Register plugins for one test: ``prodready_plugin(plugin, name=None)``."""
    from prodready.plugins import get_plugin_manager

    registered: list[object] = []

    def register(plugin: object, name: str | None = None) -> object:
        pm = get_plugin_manager()
        pm.register(plugin, name=name)
        registered.append(plugin)
        _forget_cached_results()
        pm.check_pending()
        return plugin

    yield register
    pm = get_plugin_manager()
    for plugin in registered:
        if pm.is_registered(plugin):
            pm.unregister(plugin)
    _forget_cached_results()


@pytest.fixture
def audit_events(prodready_plugin: Callable[..., Any]) -> list[Any]:
    """Every ``prodready.audit(...)`` event sent during the test, in order."""
    from prodready.plugins import hookimpl

    events: list[Any] = []

    class Recorder:
        @hookimpl
        def prodready_audit(self, event: Any) -> None:
            events.append(event)

    prodready_plugin(Recorder())
    return events


class RedisRoundTrips:
    """Counts the round trips of every redis-py connection while installed, made on the
    thread that installed it (the test's).

    A round trip is one ``send_packed_command``: a pipeline sends all its commands in
    one, so the count is what the code waited for, not how many commands it sent; work
    on threads of its own (the analytics flush) is not waited for, so not counted. Set
    ``count`` to 0 to start counting afresh. Needs redis-py (the ``redis`` extra).
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from redis.connection import AbstractConnection

        self.count = 0
        send: Any = AbstractConnection.send_packed_command
        counted_thread = threading.get_ident()

        def counting(connection: Any, *args: Any, **kwargs: Any) -> Any:
            if threading.get_ident() == counted_thread:
                self.count += 1
            return send(connection, *args, **kwargs)

        monkeypatch.setattr(AbstractConnection, "send_packed_command", counting)


@pytest.fixture
def redis_round_trips(monkeypatch: pytest.MonkeyPatch) -> RedisRoundTrips:
    """A :class:`RedisRoundTrips` counting from the start of the test to its end."""
    return RedisRoundTrips(monkeypatch)


@pytest.fixture
def notifications(prodready_plugin: Callable[..., Any]) -> list[Any]:
    """Every ``prodready.notify(...)`` notification sent during the test, in order."""
    from prodready.plugins import hookimpl

    sent: list[Any] = []

    class Recorder:
        @hookimpl
        def prodready_notify(self, notification: Any) -> None:
            sent.append(notification)

    prodready_plugin(Recorder())
    return sent


def _forget_cached_results() -> None:
    """Health results are cached for a few seconds; a new plugin must be seen at once."""
    from prodready.health.runner import clear_cache

    clear_cache()


# --- real outages ----------------------------------------------------------------------

START_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RedisServer:
    """A throwaway redis-server on 127.0.0.1, without persistence."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start it (again, on the same port, empty) and wait until it answers PING."""
        binary = shutil.which("redis-server") or shutil.which(
            "redis-server", path="/usr/sbin:/usr/local/bin"
        )
        if binary is None:
            missing_tool("redis-server is not installed (apt-get install redis-server)")
        arguments = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        self.process = subprocess.Popen(
            [str(binary), *arguments, "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.02)

    def answers(self, timeout: float = 0.5) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def freeze(self) -> None:
        """SIGSTOP: the kernel still accepts connections, the server never answers."""
        self._signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self._signal(signal.SIGCONT)

    def stop(self) -> None:
        """Kill it: connections are reset and new ones refused. Its data is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()  # SIGKILL also ends a frozen process
            self.process.wait(timeout=10)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def _signal(self, signum: int) -> None:
        if self.process is None or not self.running:
            raise RuntimeError("redis-server is not running")
        os.kill(self.process.pid, signum)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a server, until told to refuse.

    ``refuse()`` closes the listening socket (new connections are refused) and every
    forwarded connection (clients see the server hang up), as a stopped server does.
    """

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()

    def start(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port))
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def restore(self) -> None:
        """Accept connections again after ``refuse()``; nothing to do if it already does."""
        if self._listener is None:
            self.start()

    def refuse(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone may not.
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self._lock:
            sockets, self._open = self._open, set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return  # refused: the listener was closed
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                self._open |= {client, server}
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            # One side hung up: hang up the other too, as the pair is one connection.
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            with self._lock:
                self._open -= {source, sink}

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.refuse()
