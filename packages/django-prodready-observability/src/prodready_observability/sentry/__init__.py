"""Sentry for Django, with every event scrubbed of secrets before it leaves the process.

    from prodready_observability.sentry import init_sentry, sentry_options

Initialisation happens on its own when ``PRODREADY_SENTRY_DSN`` is set (see
``setup.py``); the callbacks Sentry calls are in ``chain.py``.
"""

from __future__ import annotations

import importlib
from typing import Any

from prodready_observability.sentry.chain import (
    before_breadcrumb,
    before_send,
    before_send_log,
    before_send_transaction,
)

# Set up lazily: importing sentry_sdk and its integrations costs about a tenth of a
# second, which a process without a DSN (tests, most management commands) need not pay.
_SETUP = {"init_sentry", "sentry_options"}

__all__ = [
    "before_breadcrumb",
    "before_send",
    "before_send_log",
    "before_send_transaction",
    "init_sentry",
    "sentry_options",
]


def __getattr__(name: str) -> Any:
    if name in _SETUP:
        return getattr(importlib.import_module("prodready_observability.sentry.setup"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
