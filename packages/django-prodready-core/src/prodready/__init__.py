"""django-prodready core: plugins, settings, health checks and the readiness report.

Plugin authors need one import::

    from prodready import hookimpl, HealthCheck, Finding, DashboardCard, PeriodicTask

The types load on first use, so ``import prodready`` stays cheap and safe before
Django is set up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest

    from prodready.conf import AppSettings as AppSettings
    from prodready.contracts import BackupTarget as BackupTarget
    from prodready.contracts import CheckResult as CheckResult
    from prodready.contracts import DashboardCard as DashboardCard
    from prodready.contracts import Finding as Finding
    from prodready.contracts import HealthCheck as HealthCheck
    from prodready.contracts import HealthCheckError as HealthCheckError
    from prodready.contracts import MetricsCollector as MetricsCollector
    from prodready.contracts import OperationsPage as OperationsPage
    from prodready.contracts import PeriodicTask as PeriodicTask
    from prodready.contracts import TimeSeries as TimeSeries
    from prodready.dashboard.charts import Chart as Chart
    from prodready.dashboard.charts import Series as Series
    from prodready.events import AuditEvent as AuditEvent
    from prodready.events import Level
    from prodready.events import Notification as Notification
    from prodready.plugins import PluginError as PluginError
    from prodready.plugins import hookimpl as hookimpl
    from prodready.time_range import TimeRange as TimeRange

__version__ = "0.1.0.dev0"

# public name -> the module that defines it
_PUBLIC = {
    "hookimpl": "prodready.plugins",
    "PluginError": "prodready.plugins",
    "AppSettings": "prodready.conf",
    "HealthCheck": "prodready.contracts",
    "HealthCheckError": "prodready.contracts",
    "CheckResult": "prodready.contracts",
    "Finding": "prodready.contracts",
    "DashboardCard": "prodready.contracts",
    "PeriodicTask": "prodready.contracts",
    "AuditEvent": "prodready.events",
    "Notification": "prodready.events",
    "BackupTarget": "prodready.contracts",
    "MetricsCollector": "prodready.contracts",
    "OperationsPage": "prodready.contracts",
    "Chart": "prodready.dashboard.charts",
    "Series": "prodready.dashboard.charts",
    "TimeRange": "prodready.time_range",
    "TimeSeries": "prodready.contracts",
}
__all__ = ["__version__", "audit", "notify", *_PUBLIC]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'prodready' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # found once
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


def audit(
    action: str,
    *,
    actor: Any = None,
    target: Any = None,
    changes: dict[str, tuple[Any, Any]] | None = None,
    request: HttpRequest | None = None,
    **data: Any,
) -> None:
    """Record that something happened, through every plugin's ``prodready_audit``.

    ``prodready.audit("backup.restored", actor=user, target=record)``. Never raises
    because of a plugin: failures are logged.
    """
    from prodready import hooks
    from prodready.events import AuditEvent

    hooks.audit(
        AuditEvent(
            action=action,
            actor=actor,
            target=target,
            changes=changes or {},
            data=data,
            request=request,
        )
    )


def notify(
    subject: str, message: str, *, level: Level = "warning", source: str = "prodready", **data: Any
) -> None:
    """Tell the people who run the site, through every plugin's ``prodready_notify``.

    Core delivers by email to ``ADMINS`` and/or a webhook (``PRODREADY_NOTIFY_CHANNELS``).
    Never raises because of a channel: failures are logged.
    """
    from prodready import hooks
    from prodready.events import Notification

    hooks.notify(
        Notification(subject=subject, message=message, level=level, source=source, data=data)
    )
