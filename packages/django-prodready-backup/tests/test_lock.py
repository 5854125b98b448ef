"""One run per target: the cache lock, and crashed runs detected and marked failed."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from prodready_backup.backups import INTERRUPTED, create_backup
from prodready_backup.errors import LockHeld
from prodready_backup.lock import cache_lock, target_lock
from prodready_backup.models import BackupRecord
from prodready_backup.targets import get_target


def test_cache_lock_excludes_a_second_holder() -> None:
    with cache_lock("db-x"), pytest.raises(LockHeld, match="already running"), cache_lock("db-x"):
        pass
    with cache_lock("db-x"):  # released
        pass


def test_cache_lock_is_per_target() -> None:
    with cache_lock("db-x"), cache_lock("db-y"):
        pass


def test_cache_lock_under_concurrency_admits_exactly_one() -> None:
    barrier = threading.Barrier(8)
    all_tried = threading.Barrier(8, timeout=5)
    outcomes: list[str] = []

    def contender() -> None:
        barrier.wait()
        try:
            with cache_lock("db-race"):
                outcomes.append("got it")
                all_tried.wait()  # hold the lock until every thread has tried
        except LockHeld:
            outcomes.append("refused")
            all_tried.wait()

    threads = [threading.Thread(target=contender) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["got it"] + ["refused"] * 7


def test_an_expired_lock_is_not_deleted_by_its_former_owner() -> None:
    with override_settings(PRODREADY_BACKUP_LOCK_TIMEOUT=60), cache_lock("db-x"):
        # The lock expired and another run took it over.
        cache.set("prodready_backup:lock:db-x", "someone else", 60)
    assert cache.get("prodready_backup:lock:db-x") == "someone else"
    cache.delete("prodready_backup:lock:db-x")


@pytest.mark.django_db(transaction=True, databases=["default", "other"])
@pytest.mark.usefixtures("backup_dir")
@override_settings(PRODREADY_BACKUP_DATABASES=["other"])
def test_a_crashed_run_is_marked_failed_by_the_next_run() -> None:
    crashed = BackupRecord.objects.create(
        backup_id="20260101T000000Z-dead00",
        target="db-other",
        started_at=timezone.now() - timedelta(hours=2),
    )
    Group.objects.using("other").create(name="x")
    record = create_backup(get_target("db-other"))
    crashed.refresh_from_db()
    assert crashed.status == "failed"
    assert crashed.error == INTERRUPTED
    assert record.status == "succeeded"


@pytest.mark.django_db(transaction=True, databases=["default", "other"])
@pytest.mark.usefixtures("backup_dir")
@override_settings(PRODREADY_BACKUP_DATABASES=["other"])
def test_a_run_while_the_target_is_locked_is_refused_and_leaves_no_record() -> None:
    with target_lock("db-other"), pytest.raises(LockHeld):
        create_backup(get_target("db-other"))
    assert not BackupRecord.objects.exists()
