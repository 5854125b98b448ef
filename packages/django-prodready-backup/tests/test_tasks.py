"""Celery tasks: fan-out per target, retries on transient errors, in-process without a broker."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from celery import Celery
from django.test import override_settings

from prodready.plugins import hookimpl
from prodready_backup import tasks
from prodready_backup.errors import TransientBackupError
from prodready_backup.models import BackupRecord
from prodready_backup.targets import BackupTarget, Dump, Facts

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "other"]),
    pytest.mark.usefixtures("backup_dir"),
]


class Flaky(BackupTarget):
    """Fails like an unreachable service the first ``failures`` times."""

    name = "flaky"
    engine = "files"

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.attempts = 0

    @contextmanager
    def open_dump(self) -> Iterator[Dump]:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise TransientBackupError("the file server did not answer")
        yield Dump(iter([b"payload"]), Facts(row_counts={"files": 1}))


@pytest.fixture
def eager_celery() -> Iterator[Celery]:
    app = Celery("tests", set_as_current=True)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = False
    yield app
    Celery("idle", set_as_current=True)  # no broker again for the other tests


@pytest.fixture
def flaky(prodready_plugin) -> Flaky:  # type: ignore[no-untyped-def]
    target = Flaky(failures=2)

    class Plugin:
        @hookimpl
        def prodready_backup_targets(self) -> list[BackupTarget]:
            return [target]

    prodready_plugin(Plugin())
    return target


@override_settings(PRODREADY_BACKUP_DATABASES=["other"])
def test_backup_task_fans_out_and_retries_transient_failures(
    eager_celery: Celery, flaky: Flaky
) -> None:
    assert tasks.broker_configured()
    tasks.dispatch("backup")
    assert flaky.attempts == 3
    statuses = sorted(BackupRecord.objects.values_list("target", "status"))
    assert statuses == [
        ("db-other", "succeeded"),
        ("flaky", "failed"),
        ("flaky", "failed"),
        ("flaky", "succeeded"),
    ]


def test_retry_policy_is_exponential() -> None:
    assert tasks.TASKS["backup"].name == "prodready_backup.backup"
    per_target = tasks.backup_target  # type: ignore[attr-defined]
    assert per_target.autoretry_for == (TransientBackupError, ConnectionError)
    assert per_target.retry_backoff == 30
    assert per_target.max_retries == 6


@override_settings(PRODREADY_BACKUP_DATABASES=["other"])
def test_without_a_broker_the_work_runs_in_process(flaky: Flaky) -> None:
    assert not tasks.broker_configured()
    flaky.failures = 0
    tasks.dispatch("backup")
    tasks.dispatch("verify")
    tasks.dispatch("prune")
    records = BackupRecord.objects.order_by("target")
    assert [(r.target, r.status, r.verified_how, r.verified_ok) for r in records] == [
        ("db-other", "succeeded", "restore", True),
        ("flaky", "succeeded", "restore", False),
    ]
    flaky_record = records.get(target="flaky")
    assert flaky_record.verify_error == "Target flaky does not implement a restore test."


@pytest.mark.requires_redis
@override_settings(PRODREADY_BACKUP_DATABASES=["other"])
def test_a_real_worker_runs_the_backup_through_redis(flaky: Flaky) -> None:
    from celery.contrib.testing.worker import start_worker

    from prodready._ci import service_address

    host, port = service_address("requires_redis")
    app = Celery("tests-redis", set_as_current=True)
    app.conf.broker_url = f"redis://{host}:{port}/15"
    # A queue of our own: other test runs may share this Redis.
    app.conf.task_default_queue = f"prodready_backup_tests_{os.getpid()}"
    flaky.failures = 0
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            assert tasks.broker_configured()
            app.send_task("prodready_backup.backup_target", args=["db-other"])
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                if BackupRecord.objects.filter(status="succeeded").exists():
                    break
                time.sleep(0.1)
    finally:
        Celery("idle", set_as_current=True)
    record = BackupRecord.objects.get()
    assert (record.target, record.status) == ("db-other", "succeeded")
