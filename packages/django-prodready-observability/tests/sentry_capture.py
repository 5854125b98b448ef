"""A real sentry-sdk client whose transport keeps envelopes in memory, for tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sentry_sdk
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from prodready_observability.sentry import init_sentry

DSN = "https://public@sentry.example.com/1"

# What sentry-sdk collects without any scrubbing of ours: the control that shows a
# secret really reaches the envelope when nothing masks it.
COLLECT_EVERYTHING = {
    "user_info": True,
    "cookies": {"mode": "denylist", "terms": []},
    "http_headers": {"request": {"mode": "denylist", "terms": []}},
    "database_query_data": True,
    "queues": True,
}


class CaptureTransport(Transport):
    """Keeps every envelope sentry-sdk would send."""

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        super().__init__(options)
        self.envelopes: list[Envelope] = []
        self._lock = threading.Lock()

    def capture_envelope(self, envelope: Envelope) -> None:
        with self._lock:
            self.envelopes.append(envelope)

    def serialised(self) -> bytes:
        """Everything captured, as the bytes that would go over the wire."""
        with self._lock:
            return b"".join(envelope.serialize() for envelope in self.envelopes)

    def events(self) -> list[dict[str, Any]]:
        with self._lock:
            envelopes = list(self.envelopes)
        return [
            dict(event) for envelope in envelopes if (event := envelope.get_event()) is not None
        ]

    def transactions(self) -> list[dict[str, Any]]:
        with self._lock:
            envelopes = list(self.envelopes)
        return [
            dict(event)
            for envelope in envelopes
            if (event := envelope.get_transaction_event()) is not None
        ]

    def wait_for_event(self, timeout: float = 10.0) -> dict[str, Any]:
        """The first error event, waiting for another thread (a Celery worker) to send it."""
        deadline = time.monotonic() + timeout
        while not (events := self.events()):
            if time.monotonic() > deadline:
                raise AssertionError(f"no Sentry event arrived within {timeout} seconds")
            time.sleep(0.05)
        return events[0]


@contextmanager
def captured_sentry(**overrides: Any) -> Iterator[CaptureTransport]:
    """Sentry initialised like in production, sending into a :class:`CaptureTransport`."""
    transport = CaptureTransport()
    options = {"dsn": DSN, "transport": transport, "traces_sample_rate": 1.0, **overrides}
    assert init_sentry(**options)
    try:
        yield transport
    finally:
        reset_sentry()


def reset_sentry() -> None:
    """Forget the client and everything the scopes collected, for the next test."""
    sentry_sdk.get_client().close()
    for scope in (
        sentry_sdk.get_current_scope(),
        sentry_sdk.get_isolation_scope(),
        sentry_sdk.get_global_scope(),
    ):
        scope.clear()
    sentry_sdk.get_global_scope().set_client(None)
