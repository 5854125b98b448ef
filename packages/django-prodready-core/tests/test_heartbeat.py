"""Reading the scheduler's heartbeat: health, readiness and anyone claiming a schedule."""

import time

import pytest
from django.core.cache import cache

from prodready import heartbeat
from prodready.health.checks import SchedulerCheck, builtin_checks
from prodready.health.runner import run_checks
from prodready.plugins import hookimpl
from prodready.readiness.core_findings import periodic_tasks_run
from prodready.schedule import PeriodicTask

START_BEAT = "start Celery beat (celery -A <your project> beat) on the Celery app where "

pytestmark = pytest.mark.usefixtures("fresh_health")


@pytest.fixture(autouse=True)
def no_heartbeat():
    cache.delete(heartbeat.CACHE_KEY)
    yield
    cache.delete(heartbeat.CACHE_KEY)


@pytest.fixture
def with_periodic_tasks(prodready_plugin):
    class Plugin:
        @hookimpl
        def prodready_periodic_tasks(self):
            return [PeriodicTask("nightly-backup", "backup.create", "0 3 * * *")]

    prodready_plugin(Plugin())


def test_a_fresh_heartbeat_means_the_schedule_runs():
    heartbeat.stamp()
    status = heartbeat.scheduler_status()
    assert status.running is True
    assert status.message == "Celery beat's last heartbeat was 0 s ago"
    assert status.last_seen is not None


def test_a_stale_heartbeat_says_how_long_ago_and_what_to_start():
    cache.set(heartbeat.CACHE_KEY, time.time() - 500)
    status = heartbeat.scheduler_status()
    assert status.running is False
    assert status.message.startswith("no heartbeat from Celery beat for 8 min: " + START_BEAT)
    assert status.message.endswith("prodready.schedule.connect(app) is called")


def test_a_cache_each_process_keeps_to_itself_is_named(settings):
    # tests.settings: LocMemCache, which beat's process cannot share with this one.
    status = heartbeat.scheduler_status()
    assert status.running is False
    assert status.message.startswith(
        "no heartbeat from Celery beat can be seen: CACHES['default'] uses LocMemCache, "
        "which each process keeps to itself; use a shared cache (Redis, say) and start "
    )


def test_a_shared_cache_without_a_heartbeat_says_to_start_beat(settings, tmp_path):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path),
        }
    }
    assert heartbeat.scheduler_status().message == "no heartbeat from Celery beat yet: " + (
        START_BEAT + "prodready.schedule.connect(app) is called"
    )


def test_a_cache_that_cannot_be_read_is_reported_not_raised(settings):
    pytest.importorskip("redis")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing listens
        }
    }
    status = heartbeat.scheduler_status()
    assert status.running is False
    assert status.message == "the heartbeat cannot be read: the cache failed (ConnectionError)"


def test_the_scheduler_check_fails_without_a_heartbeat_but_is_not_critical():
    (result,) = run_checks([SchedulerCheck()]).results
    assert (result.name, result.status, result.critical) == ("scheduler", "failed", False)
    assert result.message.startswith("no heartbeat from Celery beat")


def test_the_scheduler_check_is_built_in_only_when_tasks_are_scheduled(prodready_plugin):
    assert "scheduler" not in [check.name for check in builtin_checks()]

    class Plugin:
        @hookimpl
        def prodready_periodic_tasks(self):
            return [PeriodicTask("cleanup", "security.cleanup", "0 4 * * *")]

    prodready_plugin(Plugin())
    assert "scheduler" in [check.name for check in builtin_checks()]


def test_readiness_passes_with_nothing_to_schedule():
    assert periodic_tasks_run().passed is True


@pytest.mark.usefixtures("with_periodic_tasks")
def test_readiness_fails_when_scheduled_tasks_have_no_scheduler():
    found = periodic_tasks_run()
    assert (found.id, found.category, found.passed) == ("prodready.R020", "deployment", False)
    assert found.detail.startswith("Not run: backup.create; no heartbeat from Celery beat")
    assert "prodready.schedule.connect(app)" in found.fix
    heartbeat.stamp()
    assert periodic_tasks_run().passed is True
