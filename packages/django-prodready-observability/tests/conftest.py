"""Fixtures shared by this package's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.sentry_capture import CaptureTransport, captured_sentry


@pytest.fixture
def sentry_capture() -> Iterator[CaptureTransport]:
    """Sentry initialised by prodready, its envelopes kept in memory; reset afterwards."""
    with captured_sentry() as transport:
        yield transport
