"""django-prodready-security's hook implementations, registered through its entry point."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from prodready import PeriodicTask, hookimpl
from prodready_security.conf import conf

if TYPE_CHECKING:
    from django.http import HttpRequest

    from prodready import (
        AppSettings,
        AuditEvent,
        DashboardCard,
        Finding,
        HealthCheck,
        MetricsCollector,
        OperationsPage,
        TimeSeries,
    )


@hookimpl
def prodready_settings() -> AppSettings:
    return conf


@hookimpl
def prodready_readiness_findings() -> Iterable[Finding]:
    from prodready_security.audit import findings as audit_findings
    from prodready_security.headers import findings as headers_findings
    from prodready_security.otp import findings as otp_findings
    from prodready_security.ratelimit import findings as ratelimit_findings
    from prodready_security.sessions import findings as sessions_findings

    return [
        *ratelimit_findings.findings(),
        *otp_findings.findings(),
        *headers_findings.findings(),
        *sessions_findings.findings(),
        *audit_findings.findings(),
    ]


@hookimpl
def prodready_dashboard_cards(request: HttpRequest) -> Iterable[DashboardCard]:
    from prodready_security.audit import cards as audit_cards
    from prodready_security.otp import cards as otp_cards
    from prodready_security.ratelimit import cards as lockout_cards

    return [
        *otp_cards.cards(request),
        *lockout_cards.cards(request),
        *audit_cards.cards(request),
    ]


@hookimpl
def prodready_operations_pages() -> Iterable[OperationsPage]:
    from prodready_security.operations_pages import operations_pages

    return operations_pages()


@hookimpl
def prodready_metrics() -> Iterable[MetricsCollector]:
    from prodready_security.ratelimit.metrics import RateLimitCollector

    return [RateLimitCollector()]


@hookimpl
def prodready_audit(event: AuditEvent) -> None:
    from prodready_security.audit import same_statement
    from prodready_security.audit.recorder import record

    if not same_statement.stored(event):  # its UPDATE stored it already
        record(event)


@hookimpl
def prodready_health_checks() -> Iterable[HealthCheck]:
    from prodready_security.audit.health import AuditChainHeadCheck

    return [AuditChainHeadCheck()]


@hookimpl
def prodready_periodic_tasks() -> Iterable[PeriodicTask]:
    from prodready_security.tasks import AUDIT_SEAL, CLEANUP

    schedules = ((CLEANUP, conf.SESSIONS_CLEANUP_SCHEDULE), (AUDIT_SEAL, conf.AUDIT_SEAL_SCHEDULE))
    return [PeriodicTask(name=name, task=name, cron=cron) for name, cron in schedules if cron]


@hookimpl
def prodready_scrub_event(event: dict[str, Any], hint: Mapping[str, Any]) -> None:
    from prodready.scrubbing import replace_secrets

    # The keys that decrypt every TOTP secret in the database.
    replace_secrets(event, [key for key in conf.OTP_ENCRYPTION_KEYS if isinstance(key, str)])


@hookimpl
def prodready_time_series() -> Iterable[TimeSeries]:
    from prodready_security.failed_logins import failed_login_series

    return [failed_login_series()]
