"""django-prodready-backup's hook implementations, registered through its entry point."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from prodready import PeriodicTask, hookimpl
from prodready_backup.conf import conf

if TYPE_CHECKING:
    from django.core.management.base import CommandParser, OutputWrapper
    from django.db.migrations import Migration
    from django.http import HttpRequest

    from prodready import (
        AppSettings,
        BackupTarget,
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


@hookimpl(trylast=True)
def prodready_backup_targets() -> Iterable[BackupTarget]:
    # The built-in targets are a trylast implementation: a project's own are listed first.
    from prodready_backup.targets import builtin_targets

    return builtin_targets()


@hookimpl
def prodready_health_checks() -> Iterable[HealthCheck]:
    from prodready_backup.health import BackupAgeCheck
    from prodready_backup.targets import all_targets

    return [BackupAgeCheck(target.name) for target in all_targets()]


@hookimpl
def prodready_readiness_findings() -> Iterable[Finding]:
    from prodready_backup.findings import findings

    return findings()


@hookimpl
def prodready_periodic_tasks() -> Iterable[PeriodicTask]:
    schedule = [
        ("prodready_backup.backup", conf.BACKUP_SCHEDULE),
        ("prodready_backup.verify", conf.BACKUP_VERIFY_SCHEDULE),
        ("prodready_backup.prune", conf.BACKUP_PRUNE_SCHEDULE),
    ]
    return [PeriodicTask(name=task, task=task, cron=cron) for task, cron in schedule if cron]


@hookimpl
def prodready_operations_pages() -> Iterable[OperationsPage]:
    from django.utils.translation import gettext_lazy as _

    from prodready import OperationsPage
    from prodready_backup.views import VIEW_PERMISSION

    return [OperationsPage(_("Backups"), "prodready_backup:list", VIEW_PERMISSION, order=30)]


@hookimpl
def prodready_metrics() -> Iterable[MetricsCollector]:
    from prodready_backup.metrics import collectors

    return collectors()


@hookimpl
def prodready_dashboard_cards(request: HttpRequest) -> Iterable[DashboardCard]:
    from prodready_backup.cards import backup_card

    return [backup_card(request)]


@hookimpl
def prodready_scrub_event(event: dict[str, Any], hint: Mapping[str, Any]) -> None:
    from prodready.scrubbing import replace_secrets
    from prodready_backup.scrub import secrets

    replace_secrets(event, secrets())


@hookimpl
def prodready_migrate_arguments(parser: CommandParser) -> None:
    from prodready_backup.before_migrate import add_arguments

    add_arguments(parser)


@hookimpl
def prodready_before_migrate(
    plan: list[tuple[Migration, bool]],
    database: str,
    options: Mapping[str, Any],
    stdout: OutputWrapper,
) -> None:
    from prodready_backup.before_migrate import backup_before_migrate

    backup_before_migrate(plan, database, options, stdout)


@hookimpl
def prodready_time_series() -> Iterable[TimeSeries]:
    from prodready_backup.series import backup_series

    return backup_series()
