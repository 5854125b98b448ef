"""The typed facade over the plugin manager: the only module that calls hooks.

Collector hooks are validated here, so a plugin that returns the wrong thing is
named in the error instead of failing somewhere far from its cause. Event hooks
isolate plugins from each other: one failing implementation is logged and the
others still run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from prodready.conf import InvalidSetting
from prodready.plugins import PluginError, get_plugin_manager

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from prodready.conf import AppSettings
    from prodready.dashboard import DashboardCard
    from prodready.events import AuditEvent, Notification
    from prodready.health.base import HealthCheck
    from prodready.readiness.findings import Finding
    from prodready.schedule import PeriodicTask

logger = logging.getLogger(__name__)

T = TypeVar("T")


# hook name -> (manager, its generation, implementations), kept until a plugin changes
_looked_up: dict[str, tuple[object, int, tuple[tuple[str, Any], ...]]] = {}


def _implementations(hook_name: str) -> tuple[tuple[str, Any], ...]:
    """(plugin name, function) pairs of a hook, in pluggy's call order."""
    pm = get_plugin_manager()
    cached = _looked_up.get(hook_name)
    if cached is not None and cached[0] is pm and cached[1] == pm.generation:
        return cached[2]
    caller = getattr(pm.hook, hook_name)
    found = tuple(
        (impl.plugin_name, impl.function)
        for impl in reversed(caller.get_hookimpls())
        if not (impl.hookwrapper or impl.wrapper)
    )
    _looked_up[hook_name] = (pm, pm.generation, found)
    return found


def _collect(hook_name: str, expected: type[T], **kwargs: Any) -> list[T]:
    items: list[T] = []
    for plugin, function in _implementations(hook_name):
        items.extend(_validated(plugin, hook_name, function(**kwargs), expected))
    return items


def _validated(plugin: str, hook_name: str, result: object, expected: type[T]) -> list[T]:
    if result is None:
        return []
    if isinstance(result, (str, bytes)) or not isinstance(result, Iterable):
        raise PluginError(
            f"Plugin {plugin!r} returned {type(result).__name__} from "
            f"{hook_name}(); expected an iterable of {expected.__name__}."
        )
    items = list(result)
    for item in items:
        if not isinstance(item, expected):
            raise PluginError(
                f"Plugin {plugin!r} returned {item!r} from {hook_name}(); "
                f"expected {expected.__module__}.{expected.__name__} instances."
            )
    return items


def _broadcast(hook_name: str, **kwargs: Any) -> None:
    for plugin, function in _implementations(hook_name):
        try:
            function(**kwargs)
        except Exception:
            logger.exception("Plugin %r failed in %s()", plugin, hook_name)


def settings_objects() -> list[tuple[str, AppSettings]]:
    from prodready.conf import AppSettings

    found = []
    for plugin, function in _implementations("prodready_settings"):
        result = function()
        if not isinstance(result, AppSettings):
            raise PluginError(
                f"Plugin {plugin!r} returned {result!r} from prodready_settings(); "
                "expected a prodready.conf.AppSettings instance."
            )
        found.append((plugin, result))
    return found


def health_checks() -> list[HealthCheck]:
    from prodready.health.base import HealthCheck

    return _collect("prodready_health_checks", HealthCheck)


def readiness_findings() -> list[Finding]:
    from prodready.readiness.findings import Finding

    return _collect("prodready_readiness_findings", Finding)


def periodic_tasks() -> list[PeriodicTask]:
    from prodready.schedule import PeriodicTask

    return _collect("prodready_periodic_tasks", PeriodicTask)


def dashboard_cards(request: HttpRequest) -> list[DashboardCard]:
    """Every plugin's cards; a plugin that fails gets an error card instead of its own,
    so one broken plugin cannot take the whole dashboard down."""
    from prodready.dashboard import DashboardCard

    cards: list[DashboardCard] = []
    for plugin, function in _implementations("prodready_dashboard_cards"):
        try:
            result = function(request=request)
            cards.extend(_validated(plugin, "prodready_dashboard_cards", result, DashboardCard))
        except Exception as exc:
            logger.exception("Plugin %r failed in prodready_dashboard_cards()", plugin)
            # A PluginError says what the plugin got wrong, an InvalidSetting which setting
            # (never quoting a secret); other messages may hold secrets.
            told = isinstance(exc, (PluginError, InvalidSetting))
            reason = str(exc) if told else type(exc).__name__
            cards.append(
                DashboardCard(
                    title=plugin,
                    template="prodready/dashboard/plugin_error.html",
                    context={"plugin": plugin, "reason": reason},
                    status="error",
                    order=-1,
                )
            )
    return cards


def backup_targets() -> list[Any]:
    return _collect("prodready_backup_targets", object)


def metrics() -> list[Any]:
    return _collect("prodready_metrics", object)


def audit(event: AuditEvent) -> None:
    _broadcast("prodready_audit", event=event)


def notify(notification: Notification) -> None:
    _broadcast("prodready_notify", notification=notification)


def scrub_event(event: dict[str, Any], hint: dict[str, Any]) -> None:
    for _plugin, function in _implementations("prodready_scrub_event"):
        function(event=event, hint=hint)


def request_finished(request: HttpRequest, response: HttpResponse, duration: float) -> None:
    _broadcast("prodready_request_finished", request=request, response=response, duration=duration)
