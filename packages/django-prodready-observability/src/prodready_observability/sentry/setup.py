"""Sentry initialised from ``PRODREADY_SENTRY_*`` settings.

Sentry's documentation asks for ``sentry_sdk.init()`` as early as possible in
start-up. With this package in ``INSTALLED_APPS`` that happens on its own when
Django starts (``AppConfig.ready()``, before the WSGI or ASGI handler and the Celery
worker are built), as long as ``PRODREADY_SENTRY_DSN`` is set and nothing has
initialised Sentry yet. Call :func:`init_sentry` yourself only to start earlier or
with extra options; :func:`sentry_options` gives the options to pass to
``sentry_sdk.init()`` directly.

Without a DSN, nothing is initialised: nothing is sent and nothing fails.
"""

from __future__ import annotations

import importlib.util
import logging
from typing import Any

import sentry_sdk
from sentry_sdk.integrations import Integration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import LoggingIntegration, ignore_logger

from prodready_observability.conf import conf
from prodready_observability.sentry import chain

logger = logging.getLogger(chain.LOGGER_NAME)
TASKS_LOGGER_NAME = "prodready.tasks"  # prodready_observability.tasks, imported with Celery only


def init_sentry(**overrides: Any) -> bool:
    """Initialise sentry-sdk from settings; ``overrides`` replace any option.

    :returns: whether Sentry was initialised (False without a DSN).
    """
    options = sentry_options(**overrides)
    if not options.get("dsn"):
        return False
    ignore_logger(chain.LOGGER_NAME)
    # A failed task is reported by Sentry's Celery integration (which ignores Celery's
    # own failure lines the same way); the task line of prodready.tasks, ERROR for a
    # failure, would otherwise be a second issue for the same failure.
    ignore_logger(TASKS_LOGGER_NAME)
    sentry_sdk.init(**options)
    return True


def sentry_options(**overrides: Any) -> dict[str, Any]:
    """The keyword arguments for ``sentry_sdk.init()``, from settings and ``overrides``."""
    options: dict[str, Any] = {
        "dsn": conf.SENTRY_DSN or None,
        "environment": conf.SENTRY_ENVIRONMENT,
        "release": conf.SENTRY_RELEASE,
        "traces_sample_rate": conf.SENTRY_TRACES_SAMPLE_RATE,
        # Continuous profiling, sentry-sdk's successor to profiles_sample_rate: a sampled
        # process profiles whenever a traced transaction runs.
        "profile_session_sample_rate": conf.SENTRY_PROFILE_SESSION_SAMPLE_RATE,
        "profile_lifecycle": "trace",
        "integrations": integrations(),
        "data_collection": data_collection(),
        "before_send": chain.before_send,
        "before_send_transaction": chain.before_send_transaction,
        "before_breadcrumb": chain.before_breadcrumb,
        "before_send_log": chain.before_send_log,
    }
    options.update(overrides)
    return options


def data_collection() -> dict[str, Any]:
    """sentry-sdk's ``data_collection`` option (it replaces ``send_default_pii``).

    Collect what helps debugging, and let the scrubber mask secrets in it: frame
    variables, request bodies and task arguments are kept; cookies, SQL parameters
    and AI prompts are never collected; headers only from the allowlist; the user
    only with ``PRODREADY_SENTRY_SEND_USER``.
    """
    allowlist = [name.lower() for name in conf.SENTRY_HEADER_ALLOWLIST]
    return {
        "user_info": conf.SENTRY_SEND_USER,
        "cookies": {"mode": "off"},
        "http_headers": {"request": {"mode": "allowlist", "terms": allowlist}},
        "http_bodies": ["incoming_request"],
        "url_query_params": {"mode": "denylist"},
        "database_query_data": False,
        "queues": True,
        "gen_ai": {"inputs": False, "outputs": False},
        "stack_frame_variables": True,
    }


def integrations() -> list[Integration]:
    """Django and logging always; Celery and Redis when they are installed."""
    found: list[Integration] = [
        DjangoIntegration(),
        LoggingIntegration(
            level=_level(conf.SENTRY_LOG_LEVEL), event_level=_level(conf.SENTRY_LOG_EVENT_LEVEL)
        ),
    ]
    # Passing an integration whose library is missing would make sentry_sdk.init() fail.
    if importlib.util.find_spec("celery") is not None:
        from sentry_sdk.integrations.celery import CeleryIntegration

        found.append(CeleryIntegration())
    if importlib.util.find_spec("redis") is not None:
        from sentry_sdk.integrations.redis import RedisIntegration

        found.append(RedisIntegration())
    return found


def init_on_startup() -> None:
    """Initialise Sentry when Django starts, unless there is no DSN or it already runs."""
    from prodready_observability.sentry.checks import sentry_setting_errors

    if not conf.SENTRY_DSN or sentry_sdk.get_client().is_active():
        return
    if sentry_setting_errors():
        return  # `manage.py check` (run by runserver, migrate, ...) says what to fix
    try:
        init_sentry()
    except Exception:
        logger.exception(
            "Sentry was not initialised, so errors are not reported; "
            "`manage.py check` names the setting to fix."
        )


def _level(name: str | None) -> int | None:
    return None if name is None else logging.getLevelNamesMapping()[name]
