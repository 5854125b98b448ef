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
import importlib.util
import os
import types
import typing
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning
from django.utils.module_loading import import_string

from prodready.conf import PREFIX, conf


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
    known: dict[str, tuple[type, Any]] = {}
    for _plugin, app_settings in objects:
        for name in app_settings.setting_names():
            prop = getattr(type(app_settings), name.removeprefix(PREFIX))
            known[name] = typing.get_type_hints(prop.fget)["return"]
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
        if not _matches(value, expected):
            messages.append(
                Error(
                    f"{name} must be {_describe(expected)}; found "
                    f"{type(value).__name__} {value!r}.",
                    hint=f"Set {name} to {_describe(expected)} in your settings.",
                    id="prodready.E002",
                )
            )
    return messages


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


def check_trusted_proxies(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    from prodready.client_ip import trusted_networks

    if not _is_list(conf.TRUSTED_PROXIES):
        return []  # reported as prodready.E002
    try:
        trusted_networks(tuple(conf.TRUSTED_PROXIES))
    except ValueError as exc:
        return [Error(str(exc), hint="Fix or remove that entry.", id="prodready.E004")]
    return []


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


def _is_list(value: object) -> bool:
    # Settings are typed by what they should be; this is about what a project set.
    return isinstance(value, (list, tuple))


def _closest(name: str, known: Iterable[str]) -> list[str]:
    """The known name closest to ``name``, compared without the shared prefix."""
    by_suffix = {k.removeprefix(PREFIX): k for k in known}
    matches = difflib.get_close_matches(name.removeprefix(PREFIX), by_suffix, n=1, cutoff=0.75)
    return [by_suffix[match] for match in matches]


def _matches(value: Any, expected: Any) -> bool:
    """Whether ``value`` fits the annotation ``expected`` (the shapes settings use)."""
    origin = typing.get_origin(expected)
    args = typing.get_args(expected)
    if expected is Any:
        return True
    if expected is None or expected is type(None):
        return value is None
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, arg) for arg in args)
    if origin is typing.Literal:
        return value in args
    if expected is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if origin in (list, tuple, typing.Sequence, Sequence) or expected in (list, tuple):
        if not isinstance(value, (list, tuple)):
            return False
        return not args or all(_matches(item, args[0]) for item in value)
    if origin is dict or expected is dict:
        if not isinstance(value, dict):
            return False
        return not args or all(
            _matches(k, args[0]) and _matches(v, args[1]) for k, v in value.items()
        )
    if isinstance(expected, type):
        return isinstance(value, expected)
    return True


def _describe(expected: Any) -> str:
    origin = typing.get_origin(expected)
    args = typing.get_args(expected)
    if expected is None or expected is type(None):
        return "None"
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(arg) for arg in args)
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(arg) for arg in args)
    if origin in (list, tuple):
        return f"a list of {_describe(args[0])}" if args else "a list"
    if origin is dict:
        return "a dict"
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    return names.get(expected, getattr(expected, "__name__", str(expected)))
