"""Fixtures shared by this package's tests."""

from __future__ import annotations

import logging
import logging.config
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from prodready_observability.logging import configure_logging
from tests.sentry_capture import CaptureTransport, captured_sentry


@pytest.fixture
def history() -> Iterator[None]:
    """The request history on, its tables routed to the PostgreSQL test database."""
    from django.test import override_settings

    from prodready_observability.history import buffer, flusher, maintenance

    buffer.take()
    maintenance.state.problem = None
    with override_settings(
        DATABASE_ROUTERS=["tests.routers.HistoryInPostgres"], PRODREADY_ANALYTICS_HISTORY=True
    ):
        yield
        # A request of the test started this process's flush thread: it must not outlive
        # the test, holding a connection to a test database that is about to be dropped.
        flusher.stop()
    buffer.take()
    maintenance.state.problem = None


@pytest.fixture
def history_site(history: None) -> Iterator[None]:
    """:func:`history`, with requests served by ``tests.site``."""
    from django.test import override_settings

    from tests.site import SETTINGS

    with override_settings(**SETTINGS):
        yield


@pytest.fixture
def sentry_capture() -> Iterator[CaptureTransport]:
    """Sentry initialised by prodready, its envelopes kept in memory; reset afterwards."""
    with captured_sentry() as transport:
        yield transport


@pytest.fixture
def configured(capsys: pytest.CaptureFixture[str]) -> Iterator[Any]:
    """Apply a configuration; give every logger back its handlers and levels afterwards."""

    def apply(**kwargs: Any) -> None:
        logging.config.dictConfig(configure_logging(**kwargs))

    with restored_logging():
        yield apply


@contextmanager
def restored_logging() -> Iterator[None]:
    """Every logger's handlers, level and switches as they were, on exit."""
    manager = logging.Logger.manager
    saved = {
        name: (logger.level, logger.handlers[:], logger.propagate, logger.disabled)
        for name, logger in [("", logging.getLogger()), *manager.loggerDict.items()]
        if isinstance(logger, logging.Logger)
    }
    try:
        yield
    finally:
        kept = {handler for _, handlers, _, _ in saved.values() for handler in handlers}
        current = [("", logging.getLogger()), *manager.loggerDict.items()]
        for name, logger in current:
            if not isinstance(logger, logging.Logger):
                continue
            # Detach a handler before closing it: a thread that logs late (a worker's
            # or a health check's) would otherwise reopen a closed file handler's file.
            added = [handler for handler in logger.handlers if handler not in kept]
            new = (logging.NOTSET, [], True, False)  # a logger made during the block
            level, handlers, propagate, disabled = saved.get(name, new)
            logger.setLevel(level)
            logger.handlers[:] = handlers
            logger.propagate, logger.disabled = propagate, disabled
            for handler in added:
                handler.close()
