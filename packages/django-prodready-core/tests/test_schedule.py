import pytest
from celery import Celery
from celery import schedules as celery_schedules
from celery.signals import beat_init

from prodready import schedule
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


class BeatService:
    """What beat_init is sent with: only its ``app`` is read."""

    def __init__(self, app):
        self.app = app


def test_connect_merges_plugin_tasks_when_beat_starts_and_the_project_wins(prodready_plugin):
    class Plugin:
        @hookimpl
        def prodready_periodic_tasks(self):
            return [
                PeriodicTask("prune", "backup.prune", "0 4 * * *"),
                PeriodicTask("verify", "backup.verify", "0 5 * * 0"),
            ]

    prodready_plugin(Plugin())
    app = Celery("school", set_as_current=False)
    app.conf.beat_schedule = {"prune": {"task": "school.own_prune", "schedule": 60}}
    other = Celery("other", set_as_current=False)
    schedule.connect(app)
    beat_init.send(sender=BeatService(other))
    assert set(app.conf.beat_schedule) == {"prune"}
    beat_init.send(sender=BeatService(app))
    assert app.conf.beat_schedule["prune"]["task"] == "school.own_prune"
    assert app.conf.beat_schedule["verify"]["task"] == "backup.verify"
