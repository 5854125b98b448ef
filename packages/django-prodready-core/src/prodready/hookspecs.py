"""The hooks through which django-prodready packages cooperate.

Every hook is documented in docs/hooks.md; a test keeps the two in step.
Hooks are called with keyword arguments only: arguments may be added, never changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from django.core.management.base import CommandParser, OutputWrapper
    from django.db.migrations import Migration
    from django.http import HttpRequest, HttpResponse

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

hookspec = pluggy.HookspecMarker("prodready")


@hookspec
def prodready_settings() -> AppSettings:
    """Return the plugin's settings object (its ``conf.settings``).

    Called when system checks run. Core reads the typed properties of every
    returned object to know each ``PRODREADY_*`` setting, to check the type of
    the value a project set, and to suggest the closest name for a misspelling.

    :returns: an :class:`prodready.conf.AppSettings` instance.

    .. versionadded:: 0.1
    """


@hookspec
def prodready_health_checks() -> Iterable[HealthCheck]:
    """Return the health checks this plugin contributes.

    Called by the health runner whenever results are not cached. Checks must be
    cheap to construct; their work happens in ``HealthCheck.check()``.

    :returns: :class:`prodready.health.base.HealthCheck` instances.

    .. versionadded:: 0.1
    """


@hookspec
def prodready_readiness_findings() -> Iterable[Finding]:
    """Return what is not ready for production in this plugin's field.

    Called by ``manage.py prodready check``. Return a finding for every rule
    that was evaluated, passed or not, so the score reflects what was checked.

    :returns: :class:`prodready.readiness.findings.Finding` instances.

    .. versionadded:: 0.1
    """


@hookspec
def prodready_audit(event: AuditEvent) -> None:
    """Receive an audit event sent with :func:`prodready.audit`.

    Called synchronously in the sender's thread, once per event, for every
    plugin. Implementations must not raise: an error is logged and the other
    plugins still receive the event.

    :param event: what happened, who did it and to what.

    .. versionadded:: 0.1
    """


@hookspec
def prodready_notify(notification: Notification) -> None:
    """Deliver a notification sent with :func:`prodready.notify`.

    Called once per notification for every plugin. Core's own channels (email
    to ``ADMINS``, webhook) are an implementation of this hook. Implementations
    must not raise: an error is logged and the other channels still deliver.

    :param notification: the level, subject and message to deliver.

    .. versionadded:: 0.1
    """


@hookspec
def prodready_scrub_event(event: dict[str, Any], hint: Mapping[str, Any]) -> None:
    """Remove secrets from an error-tracking event, in place.

    Called for every event, transaction and breadcrumb before it leaves the
    process, after the built-in scrubber.

    :param event: the event as a mutable dict (Sentry's event schema).
    :param hint: what the event was made from (for example ``exc_info``).

    .. versionadded:: 0.1
    """


@hookspec
def prodready_request_finished(
    request: HttpRequest, response: HttpResponse, duration: float
) -> None:
    """React to a finished request.

    Called by the request analytics middleware after the response is built.

    :param request: the request.
    :param response: the response about to be sent.
    :param duration: seconds spent in the view and inner middleware.

    .. versionadded:: 0.1
    """


@hookspec
def prodready_periodic_tasks() -> Iterable[PeriodicTask]:
    """Return the periodic tasks this plugin wants scheduled.

    Called when Celery beat loads its schedule (:func:`prodready.schedule.connect`),
    and by the ``scheduler`` health check and readiness rule ``prodready.R020`` to know
    whether anything is scheduled, so it should be cheap.

    :returns: :class:`prodready.schedule.PeriodicTask` instances.

    .. versionadded:: 0.1
    """


@hookspec
def prodready_backup_targets() -> Iterable[BackupTarget]:
    """Return what should be backed up.

    Called by the backup package whenever it lists its targets.

    :returns: objects following :class:`prodready.contracts.BackupTarget`, usually
        subclasses of ``prodready_backup.targets.BackupTarget``.

    .. versionadded:: 0.1
    """


@hookspec
def prodready_metrics() -> Iterable[MetricsCollector]:
    """Return the metric collectors this plugin exposes.

    Called once when the metrics endpoint builds its registry.

    :returns: prometheus-client collectors (:class:`prodready.contracts.MetricsCollector`).

    .. versionadded:: 0.1
    """


@hookspec
def prodready_dashboard_cards(
    request: HttpRequest, time_range: TimeRange
) -> Iterable[DashboardCard]:
    """Return cards for the operations dashboard.

    Called for every view of the dashboard, for a staff user.

    :param request: the dashboard request (for permissions and links).
    :param time_range: the range the staff user chose (``?range=``: 1 h, 6 h, 24 h,
        7 d); cards with charts or counts show that span. Added in 0.2: an
        implementation that does not accept it still works.
    :returns: :class:`prodready.dashboard.DashboardCard` instances.

    .. versionadded:: 0.1
    """


@hookspec
def prodready_operations_pages() -> Iterable[OperationsPage]:
    """Return the staff pages that belong in the operations pages' shared navigation.

    Called whenever a page built on ``prodready/base.html`` renders for a staff user.
    An entry whose permission the user lacks, or whose URL name does not reverse, is
    left out.

    :returns: :class:`prodready.OperationsPage` instances.

    .. versionadded:: 0.2
    """


@hookspec
def prodready_migrate_arguments(parser: CommandParser) -> None:
    """Add options to ``manage.py migrate``.

    Called when core's ``migrate`` command builds its parser. Core owns the one
    override of ``migrate``; a plugin that needs an option adds it here and reads
    it from ``options`` in :func:`prodready_before_migrate`.

    :param parser: the command's :class:`argparse.ArgumentParser`.

    .. versionadded:: 0.2
    """


@hookspec
def prodready_before_migrate(
    plan: list[tuple[Migration, bool]],
    database: str,
    options: Mapping[str, Any],
    stdout: OutputWrapper,
) -> None:
    """Prepare for, or stop, a migration about to change a database.

    Called by ``manage.py migrate`` once per run, after the safety check passed and
    before the first migration runs; not called for ``--plan`` or ``--check``, which
    change nothing. Raise :exc:`django.core.management.CommandError` to stop the
    migration: the message is shown and nothing is migrated.

    :param plan: ``(migration, backwards)`` pairs in the order they will run; empty
        when nothing is pending.
    :param database: the database alias being migrated.
    :param options: the command's parsed options, including those added with
        :func:`prodready_migrate_arguments`.
    :param stdout: the command's output, for what the plugin tells the operator
        (respect ``options["verbosity"]``).

    .. versionadded:: 0.2
    """


@hookspec
def prodready_time_series() -> Iterable[TimeSeries]:
    """Return the time series this plugin offers to the anomaly detector.

    Called once a minute by the detector's periodic task (``prodready.detect_anomalies``),
    so it should be cheap: the work happens in each series' ``points()``.

    :returns: :class:`prodready.contracts.TimeSeries` instances with unique names.

    .. versionadded:: 0.3
    """
