"""Sentry for Django, with every event scrubbed of secrets before it leaves the process.

    from prodready_observability.sentry import init_sentry, sentry_options

Initialisation happens on its own when ``PRODREADY_SENTRY_DSN`` is set (see
``setup.py``); the callbacks Sentry calls are in ``chain.py``.
"""

from prodready_observability.sentry.chain import (
    before_breadcrumb,
    before_send,
    before_send_log,
    before_send_transaction,
)
from prodready_observability.sentry.setup import init_sentry, sentry_options

__all__ = [
    "before_breadcrumb",
    "before_send",
    "before_send_log",
    "before_send_transaction",
    "init_sentry",
    "sentry_options",
]
