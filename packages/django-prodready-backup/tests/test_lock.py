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


FAST_BEAT = override_settings(PRODREADY_BACKUP_LOCK_HEARTBEAT_SECONDS=0.1)


@FAST_BEAT
def test_a_live_owner_keeps_its_lock_past_the_expiry() -> None:
    import time

    with cache_lock("db-x"):
        time.sleep(0.8)  # more than twice three beats: only the heartbeat keeps it
        with pytest.raises(LockHeld, match=r"by process \d+ on "):
            cache_lock("db-x").__enter__()
    with cache_lock("db-x"):  # released on exit
        pass


@FAST_BEAT
def test_a_dead_owners_lock_expires_after_three_missed_beats() -> None:
    import time

    # What a killed process leaves: its lock, and no heartbeat.
    cache.add("prodready_backup:lock:db-x", "token0 deadhost 4242", timeout=0.3)
    with pytest.raises(LockHeld, match="by process 4242 on deadhost"):
        cache_lock("db-x").__enter__()
    time.sleep(0.4)
    with cache_lock("db-x"):
        pass


@pytest.mark.django_db(transaction=True, databases=["default", "other"])
@pytest.mark.usefixtures("backup_dir")
@override_settings(PRODREADY_BACKUP_DATABASES=["other"])
def test_the_next_run_reports_a_crashed_run(prodready_plugin) -> None:  # type: ignore[no-untyped-def]
    from prodready.plugins import hookimpl

    notified: list[str] = []

    class Plugin:
        @hookimpl
        def prodready_notify(self, notification) -> None:  # type: ignore[no-untyped-def]
            notified.append(notification.subject)

    prodready_plugin(Plugin())
    BackupRecord.objects.create(
        backup_id="20260101T000000Z-dead00", target="db-other", started_at=timezone.now()
    )
    create_backup(get_target("db-other"))
    assert "A backup run of db-other crashed" in notified


KILLED_OWNER = """
import sys, time
import django
from django.conf import settings
settings.configure(
    INSTALLED_APPS=["prodready", "prodready_backup"],
    CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                        "LOCATION": sys.argv[1], "KEY_PREFIX": sys.argv[2]}},
    PRODREADY_BACKUP_LOCK_HEARTBEAT_SECONDS=1,
)
django.setup()
from prodready_backup.lock import cache_lock
with cache_lock("db-x"):
    print("locked", flush=True)
    time.sleep(60)
"""


@pytest.mark.requires_redis
def test_a_killed_owners_redis_lock_is_freed_within_three_beats() -> None:
    import os
    import subprocess
    import sys
    import time

    from prodready._ci import service_address

    host, port = service_address("requires_redis")
    location, prefix = f"redis://{host}:{port}/14", f"prodready-lock-test-{os.getpid()}"
    redis_cache = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "redis": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
        },
    }
    owner = subprocess.Popen(
        [sys.executable, "-c", KILLED_OWNER, location, prefix], stdout=subprocess.PIPE
    )
    try:
        assert owner.stdout is not None
        assert owner.stdout.readline() == b"locked\n"
        with override_settings(CACHES=redis_cache, PRODREADY_BACKUP_LOCK_HEARTBEAT_SECONDS=1):
            time.sleep(4)  # the live owner's heartbeat keeps its lock past the expiry
            with pytest.raises(LockHeld, match=f"by process {owner.pid} on "):
                cache_lock("db-x", alias="redis").__enter__()
            owner.kill()
            owner.wait()
            deadline = time.monotonic() + 5
            while True:
                try:
                    with cache_lock("db-x", alias="redis"):
                        break
                except LockHeld:
                    assert time.monotonic() < deadline, "the dead owner's lock was not freed"
                    time.sleep(0.2)
    finally:
        owner.kill()
        owner.wait()
        if owner.stdout is not None:
            owner.stdout.close()
