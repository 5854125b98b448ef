"""Requests from the site: refused while one is queued or running, and not too often.

Backup depends on no rate limiter: a request claims its targets in the cache until its
job has run, and each user waits PRODREADY_BACKUP_REQUEST_COOLDOWN between requests.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
from celery import Celery
from django.contrib.auth.models import Permission, User
from django.test import Client, override_settings

from prodready_backup.lock import target_lock
from prodready_backup.models import BackupRecord

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "other"]),
    pytest.mark.usefixtures("backup_dir"),
]


@pytest.fixture(autouse=True)
def only_the_other_database() -> Iterator[None]:
    with override_settings(PRODREADY_BACKUP_DATABASES=["other"]):
        yield


FORM = {"target": "db-other", "next": "/backups/"}


def signed_in(name: str) -> Client:
    user = User.objects.create_user(name, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_backuprecord", "run_backup"])
    )
    client = Client()
    client.force_login(user)
    return client


def back_up(client: Client) -> str:
    response = client.post("/backups/run/", FORM, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_the_same_user_waits_for_the_cooldown() -> None:
    alice, bob = signed_in("alice"), signed_in("bob")
    assert "Backup requested." in back_up(alice)
    page = back_up(alice)
    assert "You asked for this a moment ago; you can ask again at" in page
    assert 'class="pr-alert pr-alert-error"' in page
    assert BackupRecord.objects.count() == 1
    assert "Backup requested." in back_up(bob)  # alice's ran: the target is free again
    with override_settings(PRODREADY_BACKUP_REQUEST_COOLDOWN=0):
        assert "Backup requested." in back_up(alice)
    assert BackupRecord.objects.count() == 3


def test_a_request_while_a_backup_runs_is_refused() -> None:
    alice = signed_in("alice")
    with target_lock("db-other"):  # as a scheduled run holds it
        page = back_up(alice)
    assert "A backup of db-other is running now" in page
    assert not BackupRecord.objects.exists()
    with override_settings(PRODREADY_BACKUP_REQUEST_COOLDOWN=0):
        assert "Backup requested." in back_up(alice)  # the refused request left no claim


@pytest.fixture
def unreachable_broker() -> Iterator[Celery]:
    app = Celery("tests-no-broker", set_as_current=True)
    app.conf.broker_url = "redis://127.0.0.1:9/0"  # the discard port: nothing listens
    app.conf.task_publish_retry = False
    yield app
    Celery("idle", set_as_current=True)


def test_an_unreachable_broker_is_a_message_not_an_error(unreachable_broker: Celery) -> None:
    alice = signed_in("alice")
    page = back_up(alice)
    assert "It could not be queued: the task broker did not answer." in page
    assert not BackupRecord.objects.exists()
    Celery("idle", set_as_current=True)  # no broker: the next request runs in-process
    with override_settings(PRODREADY_BACKUP_REQUEST_COOLDOWN=0):
        assert "Backup requested." in back_up(alice)


@pytest.mark.requires_redis
def test_a_queued_backup_refuses_others_until_a_real_worker_ran_it(audit_events) -> None:  # type: ignore[no-untyped-def]
    import redis
    from celery.contrib.testing.worker import start_worker

    from prodready._ci import service_address

    host, port = service_address("requires_redis")
    app = Celery("tests-queued", set_as_current=True)
    app.conf.broker_url = f"redis://{host}:{port}/15"
    queue = f"prodready_backup_pending_{os.getpid()}"  # other test runs may share Redis
    app.conf.task_default_queue = queue
    alice, bob = signed_in("alice"), signed_in("bob")
    try:
        assert "Backup requested." in back_up(alice)
        page = back_up(bob)
        assert "A backup of db-other was requested by alice at" in page
        assert "has not finished yet" in page
        assert redis.Redis(host=host, port=port, db=15).llen(queue) == 1  # one task queued
        assert not BackupRecord.objects.exists()
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            deadline = time.monotonic() + 30
            while not BackupRecord.objects.filter(status="succeeded").exists():
                assert time.monotonic() < deadline, "the worker did not run the backup"
                time.sleep(0.1)
            record = BackupRecord.objects.get()
            assert (record.reason, record.requested_by) == ("requested by alice", "alice")
            # Run: the claim is gone, and bob may ask.
            deadline = time.monotonic() + 10
            while "Backup requested." not in back_up(bob):
                assert time.monotonic() < deadline, "the claim was not released"
                time.sleep(0.2)
    finally:
        redis.Redis(host=host, port=port, db=15).delete(queue)
        Celery("idle", set_as_current=True)
    created = [e for e in audit_events if e.action == "backup.created"]
    assert created[0].actor.username == "alice"
