"""The typed facade over the plugin manager: the only module that calls hooks.

pluggy calls the implementations (wrappers included); this layer checks what they
return against each hook's declared type and, when something is wrong, names the
plugin at fault. The policy per kind of hook (docs/hooks.md, "When a plugin
misbehaves"):

- collectors: a result of the wrong type raises :class:`PluginError` naming the
  plugin; the operations dashboard shows an error card in place of a failing
  plugin's cards instead of failing the page.
- events: every implementation runs; one that raises is logged, naming the
  plugin, and the implementations after it are still called.
- filters (``prodready_scrub_event``): an exception propagates, so the caller
  drops what could not be cleaned instead of sending it.
- vetoes (``prodready_before_migrate``, ``prodready_migrate_arguments``): an exception
  propagates, so a plugin that cannot prepare stops the command before it changes anything.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from prodready.conf import InvalidSetting
from prodready.plugins import PluginError, get_plugin_manager

if TYPE_CHECKING:
    from types import TracebackType

    from django.core.management.base import CommandParser, OutputWrapper
    from django.db.migrations import Migration
    from django.http import HttpRequest, HttpResponse
    from pluggy import HookCaller, HookImpl

    from prodready.conf import AppSettings
    from prodready.contracts import (
        BackupTarget,
        DashboardCard,
        Finding,
        HealthCheck,
        MetricsCollector,
        OperationsPage,
        PeriodicTask,
        TimeSeries,
    )
    from prodready.events import AuditEvent, Notification
    from prodready.time_range import TimeRange

logger = logging.getLogger(__name__)


def _caller(hook_name: str) -> HookCaller:
    caller: HookCaller = getattr(get_plugin_manager().hook, hook_name)
    return caller


def _implementations(caller: HookCaller) -> list[HookImpl]:
    """The plain (non-wrapper) implementations of a hook, in pluggy's call order."""
    return [i for i in reversed(caller.get_hookimpls()) if not (i.hookwrapper or i.wrapper)]


# --- collectors -----------------------------------------------------------------------


def _collect(hook_name: str, expected: type[Any], **kwargs: Any) -> list[Any]:
    """Every implementation's items, flattened; a wrong result names its plugin."""
    items: list[Any] = []
    for result in _caller(hook_name)(**kwargs):
        try:
            items += _items(result, expected)
        except _Mismatch as mismatch:
            who = _culprit(hook_name, expected, kwargs)
            raise PluginError(f"{who} {mismatch.describe(hook_name)}") from None
    return items


class _Mismatch(Exception):
    """An implementation returned something else than its hook declares."""

    def __init__(self, found: str, expected: str) -> None:
        self.found, self.expected = found, expected

    def describe(self, hook_name: str) -> str:
        return f"returned {self.found} from {hook_name}(); expected {self.expected}."


def _items(result: object, expected: type[Any]) -> list[Any]:
    """The items one implementation returned, or :class:`_Mismatch`."""
    if isinstance(result, (str, bytes)) or not isinstance(result, Iterable):
        raise _Mismatch(type(result).__name__, f"an iterable of {expected.__name__}")
    items = list(result)
    for item in items:
        if not isinstance(item, expected):
            raise _Mismatch(repr(item), f"{expected.__module__}.{expected.__name__} instances")
    return items


def _culprit(hook_name: str, expected: type[Any], kwargs: dict[str, Any]) -> str:
    """Name the plugin whose result broke the contract (the error path only).

    pluggy hands back results without saying whose they are, so each implementation
    is asked again on its own; collectors are free of side effects by contract.
    """
    caller = _caller(hook_name)
    for impl in _implementations(caller):
        try:
            _items(impl.function(**{k: kwargs[k] for k in impl.argnames}), expected)
        except _Mismatch:
            return f"Plugin {impl.plugin_name!r}"
    wrappers = [i.plugin_name for i in caller.get_hookimpls() if i.hookwrapper or i.wrapper]
    return f"A hook wrapper of {', '.join(map(repr, wrappers)) or 'no plugin'}"


def settings_objects() -> list[tuple[str, AppSettings]]:
    """(plugin name, settings object) for every plugin that declares settings."""
    from prodready.conf import AppSettings

    found = []
    for impl in _implementations(_caller("prodready_settings")):
        result = impl.function()
        if not isinstance(result, AppSettings):
            raise PluginError(
                f"Plugin {impl.plugin_name!r} returned {result!r} from prodready_settings(); "
                "expected a prodready.conf.AppSettings instance."
            )
        found.append((impl.plugin_name, result))
    return found


def health_checks() -> list[HealthCheck]:
    from prodready.contracts import HealthCheck

    return _collect("prodready_health_checks", HealthCheck)


def readiness_findings() -> list[Finding]:
    from prodready.contracts import Finding

    return _collect("prodready_readiness_findings", Finding)


def periodic_tasks() -> list[PeriodicTask]:
    from prodready.contracts import PeriodicTask

    return _collect("prodready_periodic_tasks", PeriodicTask)


def backup_targets() -> list[BackupTarget]:
    from prodready.contracts import BackupTarget

    return _collect("prodready_backup_targets", BackupTarget)


def metrics() -> list[MetricsCollector]:
    from prodready.contracts import MetricsCollector

    return _collect("prodready_metrics", MetricsCollector)


def time_series() -> list[TimeSeries]:
    """Every plugin's series; two with one name are a plugin error."""
    from prodready.contracts import TimeSeries

    found: list[TimeSeries] = _collect("prodready_time_series", TimeSeries)
    names = [series.name for series in found]
    doubles = sorted({name for name in names if names.count(name) > 1})
    if doubles:
        raise PluginError(
            f"prodready_time_series() returned the series {', '.join(map(repr, doubles))} "
            "more than once; each series needs a name of its own."
        )
    return found


def dashboard_cards(
    request: HttpRequest, time_range: TimeRange | None = None
) -> list[DashboardCard]:
    """Every plugin's cards; a plugin that fails gets an error card instead of its own,
    so one broken plugin cannot take the whole dashboard down.

    ``time_range`` defaults to the one the request's ``?range=`` names.
    """
    from prodready.contracts import DashboardCard
    from prodready.time_range import time_range_from

    kwargs = {"request": request, "time_range": time_range or time_range_from(request)}
    try:
        return _collect("prodready_dashboard_cards", DashboardCard, **kwargs)
    except Exception:  # logged below, naming the plugin
        pass
    # The error path: each plugin on its own, so the others' cards still show.
    cards: list[DashboardCard] = []
    for impl in _implementations(_caller("prodready_dashboard_cards")):
        try:
            try:
                wanted = {name: kwargs[name] for name in impl.argnames}
                cards += _items(impl.function(**wanted), DashboardCard)
            except _Mismatch as mismatch:
                raise PluginError(
                    f"Plugin {impl.plugin_name!r} {mismatch.describe('prodready_dashboard_cards')}"
                ) from None
        except Exception as exc:
            logger.exception("Plugin %r failed in prodready_dashboard_cards()", impl.plugin_name)
            # A PluginError says what the plugin got wrong, an InvalidSetting which setting
            # (never quoting a secret); other messages may hold secrets.
            told = isinstance(exc, (PluginError, InvalidSetting))
            reason = str(exc) if told else type(exc).__name__
            cards.append(_error_card(impl.plugin_name, reason))
    return cards


def operations_pages() -> list[OperationsPage]:
    from prodready.contracts import OperationsPage

    return _collect("prodready_operations_pages", OperationsPage)


def _error_card(plugin: str, reason: str) -> DashboardCard:
    from prodready.contracts import DashboardCard

    return DashboardCard(
        title=plugin,
        template="prodready/dashboard/plugin_error.html",
        context={"plugin": plugin, "reason": reason},
        status="error",
        order=-1,
    )


# --- events ---------------------------------------------------------------------------


def _broadcast(hook_name: str, **kwargs: Any) -> None:
    """Call every implementation; one that raises is logged and the rest still run."""
    pm = get_plugin_manager()
    caller: HookCaller = getattr(pm.hook, hook_name)
    done: list[object] = []  # plugins that ran (or failed), in call order
    while True:
        try:
            caller(**kwargs)
            return
        except Exception as exc:
            failed = _raised_by(caller, exc.__traceback__)
            logger.exception(
                "Plugin %r failed in %s()", failed.plugin_name if failed else "?", hook_name
            )
            if failed is None:
                return  # a wrapper failed: there is no telling what ran
            order = _implementations(caller)
            done += [impl.plugin for impl in order[: order.index(failed) + 1]]
            if failed is order[-1]:
                return
            caller = pm.subset_hook_caller(hook_name, remove_plugins=done)


def _raised_by(caller: HookCaller, tb: TracebackType | None) -> HookImpl | None:
    """The implementation whose call raised, found in the traceback.

    Its function's code is in a frame; two instances of one plugin class share that
    code, and are told apart by the frame's ``self``.
    """
    implementations = _implementations(caller)
    while tb is not None:
        frame = tb.tb_frame
        same_code = [i for i in implementations if i.function.__code__ is frame.f_code]
        for impl in same_code:
            bound_to = getattr(impl.function, "__self__", None)
            if len(same_code) == 1 or bound_to is frame.f_locals.get("self"):
                return impl
        tb = tb.tb_next
    return None


def audit(event: AuditEvent) -> None:
    _broadcast("prodready_audit", event=event)


def notify(notification: Notification) -> None:
    _broadcast("prodready_notify", notification=notification)


def request_finished(request: HttpRequest, response: HttpResponse, duration: float) -> None:
    _broadcast("prodready_request_finished", request=request, response=response, duration=duration)


# --- filters --------------------------------------------------------------------------


def scrub_event(event: dict[str, Any], hint: dict[str, Any]) -> None:
    _caller("prodready_scrub_event")(event=event, hint=hint)


# --- vetoes ---------------------------------------------------------------------------


def migrate_arguments(parser: CommandParser) -> None:
    _caller("prodready_migrate_arguments")(parser=parser)


def before_migrate(
    plan: list[tuple[Migration, bool]],
    database: str,
    options: dict[str, Any],
    stdout: OutputWrapper,
) -> None:
    _caller("prodready_before_migrate")(
        plan=plan, database=database, options=options, stdout=stdout
    )
