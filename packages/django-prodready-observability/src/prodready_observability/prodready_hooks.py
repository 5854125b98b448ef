"""django-prodready-observability's hook implementations, registered through its entry point."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from prodready.plugins import hookimpl
from prodready_observability.conf import conf

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from prodready.conf import AppSettings
    from prodready.dashboard import DashboardCard
    from prodready.events import AuditEvent
    from prodready.readiness.findings import Finding


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
    from prodready_observability.analytics.store import recorder
    from prodready_observability.metrics.record import record_request

    _method, route, status = record_request(request, response, duration)
    recorder.record(route, status, duration)


@hookimpl
def prodready_dashboard_cards(request: HttpRequest) -> Iterable[DashboardCard]:
    from prodready_observability.analytics.card import requests_card
    from prodready_observability.celery_insight.card import celery_card

    return [card for card in (requests_card(), celery_card()) if card is not None]


@hookimpl
def prodready_audit(event: AuditEvent) -> None:
    from prodready_observability.audit import log_event

    log_event(event)
