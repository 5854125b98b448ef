"""django-prodready-observability's hook implementations, registered through its entry point."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from prodready import PeriodicTask
from prodready.plugins import hookimpl
from prodready_observability.conf import conf

# Imported here rather than in the hook, which runs on every request: an import
# statement run there each time costs about as much as updating a metric.
from prodready_observability.history.recorder import record_finished
from prodready_observability.metrics.record import record_request

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from prodready import OperationsPage, TimeSeries
    from prodready.conf import AppSettings
    from prodready.contracts import HealthCheck
    from prodready.dashboard import DashboardCard
    from prodready.events import AuditEvent
    from prodready.readiness.findings import Finding
    from prodready.time_range import TimeRange


@hookimpl
def prodready_settings() -> AppSettings:
    return conf


@hookimpl
def prodready_readiness_findings() -> Iterable[Finding]:
    from prodready_observability.metrics.findings import metrics_findings
    from prodready_observability.sentry.findings import sentry_findings

    return [*sentry_findings(), *metrics_findings()]


@hookimpl
def prodready_request_finished(
    request: HttpRequest, response: HttpResponse, duration: float
) -> None:
    method, route, status = record_request(request, response, duration)
    record_finished(request, method, route, status, duration)


@hookimpl
def prodready_dashboard_cards(
    request: HttpRequest, time_range: TimeRange
) -> Iterable[DashboardCard]:
    from prodready_observability.analytics.cards import requests_card
    from prodready_observability.cache_insight.cards import cache_card
    from prodready_observability.celery_insight.cards import celery_card
    from prodready_observability.history.cards import history_cards

    cards = [card for card in (requests_card(time_range), celery_card()) if card is not None]
    return [*cards, cache_card(time_range), *history_cards()]


@hookimpl
def prodready_operations_pages() -> Iterable[OperationsPage]:
    from prodready_observability.operations_pages import operations_pages

    return operations_pages()


@hookimpl
def prodready_health_checks() -> Iterable[HealthCheck]:
    if not conf.ANALYTICS_HISTORY:
        return []
    from prodready_observability.history.health import HistoryCheck

    return [HistoryCheck()]


@hookimpl
def prodready_periodic_tasks() -> Iterable[PeriodicTask]:
    if not conf.ANALYTICS_HISTORY:
        return []
    from prodready_observability.history.tasks import CRON, TASK

    return [PeriodicTask(name=TASK, task=TASK, cron=CRON)]


@hookimpl
def prodready_audit(event: AuditEvent) -> None:
    from prodready_observability.audit import log_event

    log_event(event)


@hookimpl
def prodready_time_series() -> Iterable[TimeSeries]:
    from prodready_observability.analytics.series import request_series
    from prodready_observability.celery_insight.series import celery_failure_series

    return [*request_series(), *celery_failure_series()]
