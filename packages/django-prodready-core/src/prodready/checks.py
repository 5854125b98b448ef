"""System checks for the plugin system and every package's settings.

Ids are stable and never reused:

- ``prodready.E001`` a plugin cannot be loaded or implements an unknown hook
- ``prodready.E002`` a ``PRODREADY_*`` setting has the wrong type
- ``prodready.E003`` required environment variables are missing
- ``prodready.E004`` an entry of ``PRODREADY_TRUSTED_PROXIES`` is not an address
- ``prodready.E005`` ``PRODREADY_HEALTH_CELERY_APP`` cannot be imported
- ``prodready.W001`` a ``PRODREADY_*`` setting no installed package knows
"""

from __future__ import annotations

import difflib
import functools
import importlib.util
import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning
from django.utils.module_loading import import_string

from prodready import setting_types
from prodready.conf import PREFIX, InvalidSetting, conf

Check = Callable[..., list[CheckMessage]]


def reads_settings(check: Check) -> Check:
    """Register system checks through this: a check that reads a mistyped setting is
    skipped, as ``prodready.E002`` reports that setting, instead of crashing the run
    with :exc:`~prodready.conf.InvalidSetting`.

        checks.register(reads_settings(my_check))
    """

    @functools.wraps(check)
    def run(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
        try:
            return check(app_configs, **kwargs)
        except InvalidSetting:
            return []

    return run


def check_plugins(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    from prodready.plugins import PluginError, get_plugin_manager

    try:
        get_plugin_manager()
    except PluginError as exc:
        return [
            Error(
                str(exc),
                hint="Fix or remove the plugin named above; docs/hooks.md lists every hook.",
                id="prodready.E001",
            )
        ]
    return []


def check_settings(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    from prodready import hooks
    from prodready.plugins import PluginError

    try:
        objects = hooks.settings_objects()
    except PluginError:
        objects = [("prodready", conf)]  # the plugin problem is reported by check_plugins
    known: dict[str, Any] = {}
    for _plugin, app_settings in objects:
        for name in app_settings.setting_names():
            known[name] = setting_types.declared_type(
                type(app_settings), name.removeprefix(PREFIX)
            )
    messages: list[CheckMessage] = []
    for name in sorted(dir(settings)):
        if not name.startswith(PREFIX):
            continue
        if name not in known:
            close = _closest(name, known)
            messages.append(
                Warning(
                    f"{name} is not a setting of any installed django-prodready package.",
                    hint=(
                        f"Did you mean {close[0]}?"
                        if close
                        else "Remove it, or add the package that defines it to INSTALLED_APPS."
                    ),
                    id="prodready.W001",
                )
            )
            continue
        value = getattr(settings, name)
        expected = known[name]
        if not setting_types.matches(value, expected):
            messages.append(
                Error(
                    setting_types.problem(name, expected, value),
                    hint=f"Set {name} to {setting_types.describe(expected)} in your settings.",
                    id="prodready.E002",
                )
            )
    return messages


@reads_settings
def check_required_env(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    missing = [name for name in conf.REQUIRED_ENV if not os.environ.get(name)]
    if not missing:
        return []
    return [
        Error(
            f"Missing required environment variables: {', '.join(missing)}.",
            hint="Set every variable listed above in the environment of the process "
            "(for example in the .env file your deployment loads).",
            id="prodready.E003",
        )
    ]


@reads_settings
def check_trusted_proxies(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    from prodready.client_ip import trusted_networks

    try:
        trusted_networks(tuple(conf.TRUSTED_PROXIES))
    except ValueError as exc:
        return [Error(str(exc), hint="Fix or remove that entry.", id="prodready.E004")]
    return []


@reads_settings
def check_celery_app(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    path = conf.HEALTH_CELERY_APP
    if not path:
        return []
    if importlib.util.find_spec("celery") is None:
        return [
            Error(
                f"PRODREADY_HEALTH_CELERY_APP is {path!r} but Celery is not installed.",
                hint='Install it with: pip install "django-prodready-core[celery]"',
                id="prodready.E005",
            )
        ]
    try:
        import_string(path)
    except ImportError as exc:
        return [
            Error(
                f"PRODREADY_HEALTH_CELERY_APP is {path!r}, which cannot be imported: {exc}",
                hint="Set it to the dotted path of your Celery app, e.g. 'mysite.celery.app'.",
                id="prodready.E005",
            )
        ]
    return []


def _closest(name: str, known: Iterable[str]) -> list[str]:
    """The known name closest to ``name``, compared without the shared prefix."""
    by_suffix = {k.removeprefix(PREFIX): k for k in known}
    matches = difflib.get_close_matches(name.removeprefix(PREFIX), by_suffix, n=1, cutoff=0.75)
    return [by_suffix[match] for match in matches]
