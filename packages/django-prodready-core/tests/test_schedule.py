"""Plugins' periodic tasks become beat's schedule; a real beat runs it and its heartbeat."""

import os
import shelve
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from celery import schedules as celery_schedules
from django.core.cache import caches

from prodready import heartbeat
from prodready._ci import service_address
from prodready.health.checks import SchedulerCheck, builtin_checks
from prodready.health.runner import run_checks
from prodready.plugins import hookimpl
from prodready.readiness.core_findings import periodic_tasks_run
from prodready.schedule import PeriodicTask, beat_schedule
from tests.beat_project import prodready_hooks as beat_project_hooks

PACKAGE = Path(__file__).resolve().parents[1]
REDIS_HOST, REDIS_PORT = service_address("requires_redis")
REDIS_DB = 13  # this test's own database index; only its own keys are removed
BEAT_STARTS_WITHIN = 60.0  # a loaded machine is slow to start Django and Celery


def test_plugins_periodic_tasks_become_a_beat_schedule(prodready_plugin):
    class Plugin:
        @hookimpl
        def prodready_periodic_tasks(self):
            return [
                PeriodicTask("nightly-backup", "backup.create", "30 2 * * *", {"target": "db"})
            ]

    prodready_plugin(Plugin())
    entry = beat_schedule()["nightly-backup"]
    assert entry["task"] == "backup.create"
    assert entry["kwargs"] == {"target": "db"}
    assert entry["schedule"] == celery_schedules.crontab(minute="30", hour="2")


def test_bad_cron_names_the_task():
    with pytest.raises(ValueError, match="'prune' has cron '0 3 \\* \\*'; expected five fields"):
        PeriodicTask("prune", "backup.prune", "0 3 * *").crontab_fields()


@pytest.fixture
def beat_redis(settings):
    """The cache and broker a real beat shares with this test: Redis, under a fresh prefix."""
    url = f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"
    prefix = f"prodready-beat-test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    yield url, prefix
    caches["default"].close()
    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB)
    keys = [key for pattern in (f"{prefix}*", f"*{prefix}*") for key in client.scan_iter(pattern)]
    if keys:
        client.delete(*set(keys))
    client.close()


@pytest.fixture
def beat(beat_redis, tmp_path):
    """``celery beat`` of tests/beat_project, as a project runs it; stopped at the end."""
    url, prefix = beat_redis
    schedule_file = tmp_path / "celerybeat-schedule"
    log = tmp_path / "beat.log"
    env = os.environ | {"BEAT_TEST_REDIS_URL": url, "BEAT_TEST_PREFIX": prefix}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the app module sets its own
    command = [sys.executable, "-m", "celery", "-A", "tests.beat_project.celery_app", "beat"]
    command += ["-s", str(schedule_file), "-l", "INFO"]
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=PACKAGE, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield process, schedule_file, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.requires_redis
def test_a_real_beat_runs_plugin_tasks_and_health_readiness_see_its_heartbeat(
    beat, prodready_plugin, fresh_health
):
    process, schedule_file, log = beat
    prodready_plugin(beat_project_hooks)
    assert not heartbeat.scheduler_status().running  # nothing claimed before beat runs
    assert periodic_tasks_run().passed is False

    deadline = time.monotonic() + BEAT_STARTS_WITHIN
    while not heartbeat.scheduler_status().running:
        assert process.poll() is None, f"beat exited:\n{log.read_text()}"
        assert time.monotonic() < deadline, f"no heartbeat from beat:\n{log.read_text()}"
        time.sleep(0.2)

    assert periodic_tasks_run().passed is True
    assert "scheduler" in [check.name for check in builtin_checks()]
    (result,) = run_checks([SchedulerCheck()]).results
    assert (result.status, result.critical) == ("ok", False)
    assert result.message.startswith("Celery beat's last heartbeat was ")

    process.terminate()
    process.wait(timeout=10)
    # Beat built its scheduler from the merged schedule: the plugin's task is in it.
    with shelve.open(str(schedule_file), flag="r") as stored:
        entries = stored["entries"]
    assert entries[beat_project_hooks.NIGHTLY.name].task == "beat_project.nightly"
    assert entries[heartbeat.TASK].task == heartbeat.TASK
    output = log.read_text()
    assert "ERROR" not in output, output
    assert "Traceback" not in output, output
