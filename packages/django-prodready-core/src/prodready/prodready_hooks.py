"""Core's own behaviour, as hook implementations that any plugin can add to."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from prodready.plugins import hookimpl

if TYPE_CHECKING:
    from django.http import HttpRequest

    from prodready.conf import AppSettings
    from prodready.contracts import OperationsPage
    from prodready.dashboard import DashboardCard
    from prodready.events import Notification
    from prodready.health.base import HealthCheck
    from prodready.readiness.findings import Finding


@hookimpl
def prodready_settings() -> AppSettings:
    from prodready.conf import conf

    return conf


@hookimpl(trylast=True)
def prodready_health_checks() -> Iterable[HealthCheck]:
    from prodready.health.checks import builtin_checks

    return builtin_checks()


@hookimpl(trylast=True)
def prodready_readiness_findings() -> Iterable[Finding]:
    from prodready.readiness.checklist_findings import checklist_findings
    from prodready.readiness.core_findings import core_findings
    from prodready.readiness.dependency_findings import dependency_findings
    from prodready.readiness.migration_findings import migration_findings

    return [
        *core_findings(),
        *migration_findings(),
        *checklist_findings(),
        *dependency_findings(),
    ]


@hookimpl(trylast=True)
def prodready_notify(notification: Notification) -> None:
    from prodready.channels import deliver

    deliver(notification)


@hookimpl(trylast=True)
def prodready_dashboard_cards(request: HttpRequest) -> Iterable[DashboardCard]:
    from prodready.dashboard.health_card import health_card

    return [health_card(request)]


@hookimpl(trylast=True)
def prodready_operations_pages() -> Iterable[OperationsPage]:
    from prodready.dashboard.navigation import core_pages

    return core_pages()
