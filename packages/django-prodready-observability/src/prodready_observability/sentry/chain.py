"""One scrubber chain for everything Sentry sends: the built-in scrubber, then plugins.

``before_send``, ``before_send_transaction``, ``before_breadcrumb`` and
``before_send_log`` all run it. The built-in scrubber is called directly rather than
registered as a hook implementation, so no plugin can unregister or override it,
and it works before the app registry is ready (errors raised during start-up).

The chain fails closed: if the built-in scrubber or any plugin's
``prodready_scrub_event`` raises, the item is dropped and the failure logged,
because a half-scrubbed event must not leave the process.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.apps import apps

from prodready import hooks
from prodready.conf import InvalidSetting, derived_from
from prodready_observability.conf import conf
from prodready_observability.scrub import Scrubber, get_scrubber
from prodready_observability.sentry.event import scrub_breadcrumb, scrub_event, scrub_log
from prodready_observability.sentry.transactions import is_ignored_path, transaction_path

# Sentry's logging integration ignores this logger (see setup.py): reporting a
# dropped event must not create another event.
LOGGER_NAME = "prodready_observability.sentry"
logger = logging.getLogger(LOGGER_NAME)

Item = dict[str, Any]


def before_send(event: Item, hint: dict[str, Any]) -> Item | None:
    return _run_chain(event, hint, "event", _scrub_whole_event)


def before_send_transaction(event: Item, hint: dict[str, Any]) -> Item | None:
    path = transaction_path(event)
    if path is not None and is_ignored_path(path, _ignored_paths()):
        return None
    return _run_chain(event, hint, "transaction", _scrub_whole_event)


def _ignored_paths() -> list[str] | str:
    try:
        return conf.SENTRY_IGNORED_TRANSACTION_PATHS
    except InvalidSetting as exc:  # prodready.E002 says so; one path alone still works
        return exc.value if isinstance(exc.value, str) else []


def before_breadcrumb(crumb: Item, hint: dict[str, Any]) -> Item | None:
    return _run_chain(crumb, hint, "breadcrumb", scrub_breadcrumb)


def before_send_log(log: Item, hint: dict[str, Any]) -> Item | None:
    return _run_chain(log, hint, "log", scrub_log)


def _scrub_whole_event(event: Item, scrubber: Scrubber) -> None:
    scrub_event(event, scrubber, header_allowlist())


def _run_chain(
    item: Item, hint: dict[str, Any], kind: str, builtin: Callable[[Item, Scrubber], None]
) -> Item | None:
    try:
        builtin(item, get_scrubber())
    except Exception:
        logger.exception(
            "The built-in scrubber failed; the Sentry %s was dropped so that nothing "
            "unscrubbed leaves the process.",
            kind,
        )
        return None
    if not apps.ready:
        return item  # plugins are only known once the app registry is ready
    try:
        hooks.scrub_event(item, hint if hint is not None else {})
    except Exception:
        logger.exception(
            "A prodready_scrub_event implementation raised; the Sentry %s was dropped so "
            "that nothing unscrubbed leaves the process. Fix the plugin named in the "
            "traceback.",
            kind,
        )
        return None
    return item


@derived_from("PRODREADY_SENTRY_HEADER_ALLOWLIST")
def header_allowlist() -> frozenset[str]:
    """The headers whose values events keep, lower-cased."""
    return frozenset(name.lower() for name in conf.SENTRY_HEADER_ALLOWLIST)
