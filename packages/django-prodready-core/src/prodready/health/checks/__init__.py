"""Core's built-in health checks, one module per dependency."""

from __future__ import annotations

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

from prodready import hooks
from prodready.conf import conf
from prodready.health.base import HealthCheck
from prodready.health.checks.cache import CacheCheck
from prodready.health.checks.celery import CeleryWorkersCheck
from prodready.health.checks.database import DatabaseCheck, configured_aliases
from prodready.health.checks.disk import DiskSpaceCheck, disk_paths
from prodready.health.checks.migrations import MigrationsCheck
from prodready.health.checks.scheduler import SchedulerCheck
from prodready.health.checks.storage import StorageCheck

__all__ = [
    "BUILTIN_KINDS",
    "CacheCheck",
    "CeleryWorkersCheck",
    "DatabaseCheck",
    "DiskSpaceCheck",
    "MigrationsCheck",
    "SchedulerCheck",
    "StorageCheck",
    "builtin_checks",
]

# Kinds of the built-in checks, as PRODREADY_HEALTH_DISABLED accepts them.
BUILTIN_KINDS = ("database", "cache", "migrations", "disk", "storage", "celery", "scheduler")


def builtin_checks() -> list[HealthCheck]:
    """Core's checks for this project's settings; cheap, nothing is contacted here."""
    aliases = configured_aliases()
    checks: list[HealthCheck] = [DatabaseCheck(alias) for alias in aliases]
    checks += [CacheCheck(alias) for alias in settings.CACHES]
    if DEFAULT_DB_ALIAS in aliases:
        checks.append(MigrationsCheck(DEFAULT_DB_ALIAS))
    checks += [DiskSpaceCheck(path) for path in disk_paths()]
    checks.append(StorageCheck())
    if conf.HEALTH_CELERY_APP:
        checks.append(CeleryWorkersCheck(conf.HEALTH_CELERY_APP))
    if hooks.periodic_tasks():  # a schedule is only claimed when something runs it
        checks.append(SchedulerCheck())
    return checks
