"""The plugin manager: which plugins take part, found once the app registry is ready.

Entry points in the ``prodready`` group are the directory of installed plugins;
``INSTALLED_APPS`` is the switch. A project's own apps take part with a
``prodready_hooks`` module, found the way Django finds ``admin.py``.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from importlib.metadata import entry_points
from types import ModuleType

import pluggy
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from prodready import hookspecs
from prodready.conf import derived_from

hookimpl = pluggy.HookimplMarker("prodready")

ENTRY_POINT_GROUP = "prodready"
HOOKS_MODULE = "prodready_hooks"


class PluginError(ImproperlyConfigured):
    """A plugin cannot be loaded or breaks a hook's contract."""


@dataclass(frozen=True)
class PluginInfo:
    name: str
    version: str | None
    hooks: tuple[str, ...]
    source: str  # "entry point" or "app"


@derived_from("INSTALLED_APPS")
def get_plugin_manager() -> pluggy.PluginManager:
    """Return the plugin manager, built on first use and again once INSTALLED_APPS changes."""
    return build_plugin_manager()


def reset_plugin_manager() -> None:
    """Forget the plugin manager so the next use rebuilds it."""
    get_plugin_manager.forget()


def build_plugin_manager() -> pluggy.PluginManager:
    apps.check_apps_ready()
    pm = pluggy.PluginManager("prodready")
    pm.add_hookspecs(hookspecs)
    for name, module in _discover():
        try:
            pm.register(module, name=name)
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"Plugin {name!r} is invalid: {exc}") from exc
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(
            f"{exc}. Hook implementations must be named after a hook in "
            "prodready.hookspecs (see docs/hooks.md); check the spelling."
        ) from exc
    return pm


def _discover() -> list[tuple[str, ModuleType]]:
    installed = {config.name for config in apps.get_app_configs()}
    found: dict[str, ModuleType] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in installed and ep.name not in found:
            try:
                found[ep.name] = ep.load()
            except ImportError as exc:
                raise PluginError(
                    f"Plugin {ep.name!r} cannot be loaded from entry point "
                    f"{ep.value!r}: {exc}. Reinstall the package that provides it."
                ) from exc
    for config in apps.get_app_configs():
        if config.name not in found:
            module = _import_hooks_module(config.name)
            if module is not None:
                found[config.name] = module
    return list(found.items())


def _import_hooks_module(app_name: str) -> ModuleType | None:
    module_name = f"{app_name}.{HOOKS_MODULE}"
    try:
        if importlib.util.find_spec(module_name) is None:
            return None
    except ModuleNotFoundError:
        return None
    return importlib.import_module(module_name)


def plugin_infos() -> list[PluginInfo]:
    """Describe every registered plugin, for ``manage.py prodready plugins``."""
    pm = get_plugin_manager()
    versions = {
        ep.name: ep.dist.version if ep.dist else None
        for ep in entry_points(group=ENTRY_POINT_GROUP)
    }
    infos = []
    for name, plugin in pm.list_name_plugin():
        hooks = tuple(sorted(caller.name for caller in pm.get_hookcallers(plugin) or []))
        source = "entry point" if name in versions else "app"
        infos.append(PluginInfo(name, versions.get(name), hooks, source))
    return sorted(infos, key=lambda info: info.name)
