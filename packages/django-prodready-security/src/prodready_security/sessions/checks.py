"""System checks of the session settings (ids ``prodready_security.E070`` to ``E079``).

- ``E070`` ``PRODREADY_SESSIONS_IDLE_TIMEOUT`` is not None or at least 60 seconds
- ``E071`` an idle timeout is set but ``SessionActivityMiddleware`` is not in MIDDLEWARE
- ``E072`` ``SessionActivityMiddleware`` is not after ``AuthenticationMiddleware``
- ``E073`` ``PRODREADY_SESSIONS_CLEANUP_SCHEDULE`` is not a five-field cron expression
- ``E074`` ``PRODREADY_SESSIONS_IDLE_WARNING`` is negative, or not shorter than the timeout
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error

from prodready.checks import reads_settings
from prodready_security.conf import conf
from prodready_security.sessions.middleware import DOTTED_PATH
from prodready_security.sessions.tracking import TOUCH_EVERY

AUTH_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"


@reads_settings
def check_idle_timeout(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    timeout = conf.SESSIONS_IDLE_TIMEOUT
    if timeout is None or not isinstance(timeout, int):
        return []  # a wrong type is prodready.E002
    if timeout < TOUCH_EVERY:
        return [
            Error(
                f"PRODREADY_SESSIONS_IDLE_TIMEOUT is {timeout}; expected None or at least "
                f"{TOUCH_EVERY} seconds (activity is recorded once a minute).",
                hint="Set it to 1800 (half an hour) or None to turn the idle logout off.",
                id="prodready_security.E070",
            )
        ]
    if DOTTED_PATH not in settings.MIDDLEWARE:
        return [
            Error(
                f"PRODREADY_SESSIONS_IDLE_TIMEOUT is {timeout} but {DOTTED_PATH} is not in "
                "MIDDLEWARE, so idle sessions are never logged out.",
                hint=f"Add {DOTTED_PATH} to MIDDLEWARE after {AUTH_MIDDLEWARE}.",
                id="prodready_security.E071",
            )
        ]
    return []


@reads_settings
def check_idle_warning(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    warning = conf.SESSIONS_IDLE_WARNING
    timeout = conf.SESSIONS_IDLE_TIMEOUT
    if not isinstance(warning, int) or isinstance(warning, bool):
        return []  # a wrong type is prodready.E002
    # A timeout under a minute is E070 already.
    too_long = isinstance(timeout, int) and TOUCH_EVERY <= timeout <= warning
    if warning >= 0 and not too_long:
        return []
    return [
        Error(
            f"PRODREADY_SESSIONS_IDLE_WARNING is {warning}; expected 0 (no warning) or more "
            f"seconds, fewer than PRODREADY_SESSIONS_IDLE_TIMEOUT ({timeout}).",
            hint="Set it to 120: the warning shows two minutes before the session ends.",
            id="prodready_security.E074",
        )
    ]


@reads_settings
def check_middleware_order(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    middleware = list(settings.MIDDLEWARE)
    if DOTTED_PATH not in middleware:
        return []
    if AUTH_MIDDLEWARE in middleware[: middleware.index(DOTTED_PATH)]:
        return []
    found = "after it" if AUTH_MIDDLEWARE in middleware else "missing"
    return [
        Error(
            f"{DOTTED_PATH} needs {AUTH_MIDDLEWARE} before it in MIDDLEWARE; it is {found}.",
            hint=f"List {AUTH_MIDDLEWARE} first, then {DOTTED_PATH}.",
            id="prodready_security.E072",
        )
    ]


@reads_settings
def check_schedule(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    schedule = conf.SESSIONS_CLEANUP_SCHEDULE
    if not isinstance(schedule, str) or schedule == "" or len(schedule.split()) == 5:
        return []
    return [
        Error(
            f"PRODREADY_SESSIONS_CLEANUP_SCHEDULE is {schedule!r}; expected a cron expression "
            "of five fields (minute hour day month weekday).",
            hint="Set it to '23 * * * *' (hourly), or '' to schedule nothing.",
            id="prodready_security.E073",
        )
    ]
