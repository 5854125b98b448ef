import pytest
from celery import schedules as celery_schedules

from prodready.plugins import hookimpl
from prodready.schedule import PeriodicTask, beat_schedule


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
