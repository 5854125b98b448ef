"""prodready.testing.TcpProxy: refuse, then restore, as often as a test's outages need."""

from __future__ import annotations

import socket
import threading

from prodready.testing import TcpProxy


def echo_server() -> socket.socket:
    """A listener on a free port that sends back the first bytes of each connection."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return
            with client:
                client.sendall(client.recv(64))

    threading.Thread(target=serve, daemon=True).start()
    return listener


def round_trip(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"ping")
        return sock.recv(64)


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    except ConnectionRefusedError:
        return True
    return False


def test_restore_is_a_no_op_while_it_forwards_and_reopens_after_refuse() -> None:
    with echo_server() as server, TcpProxy(*server.getsockname()[:2]) as proxy:
        assert round_trip(proxy.port) == b"ping"
        proxy.restore()  # already forwarding: nothing to reopen
        assert round_trip(proxy.port) == b"ping"
        proxy.refuse()
        assert refused(proxy.port)
        proxy.restore()
        proxy.restore()
        assert round_trip(proxy.port) == b"ping"
