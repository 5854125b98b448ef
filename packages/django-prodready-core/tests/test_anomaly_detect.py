"""The detector's periodic task, end to end: a plugin's series, a Celery task, an e-mail."""

from datetime import UTC, datetime

import pytest
from celery import Celery
from django.core import mail
from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import override_settings
from django.utils import timezone

from prodready import TimeSeries, anomalies, hookimpl
from prodready import schedule as prodready_schedule
from prodready._ci import admins
from prodready.anomalies import detect
from prodready.plugins import PluginError

START = 29_000_000  # a minute number: 2025-02-20


class SeriesPlugin:
    """One series whose points the test sets, minute by minute."""

    def __init__(self, name="school.reminders_failed", fail=False):
        self.name, self.fail = name, fail
        self.values: dict[int, float] = {}

    def points(self, start, end):
        if self.fail:
            raise RuntimeError("reminders table is gone")
        return [(m, v) for m, v in self.values.items() if start <= m < end]

    @hookimpl
    def prodready_time_series(self):
        return [
            TimeSeries(
                name=self.name,
                label="Failed reminders",
                unit="e-mails/min",
                points=self.points,
                min_change=5,
            )
        ]


@pytest.fixture
def celery_task():
    app = Celery("anomaly-tests", set_as_current=False)
    app.conf.task_always_eager = True
    prodready_schedule.connect(app)
    return app.tasks[detect.TASK]


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


def at(minute):
    """A time within ``minute + 1``, when the detector scores ``minute``."""
    return (minute + 1) * 60 + 5


@override_settings(ADMINS=admins("ops@example.com"), PRODREADY_NOTIFY_CHANNELS=["email"])
def test_an_anomaly_is_mailed_once_when_it_starts_and_once_when_it_ends(
    prodready_plugin, celery_task
):
    plugin = prodready_plugin(SeriesPlugin())
    steady = {START + i: 2.0 + (i % 3) for i in range(60)}  # 2, 3, 4 a minute
    plugin.values.update(steady)
    for minute in range(START + 20, START + 60):
        celery_task.apply(kwargs={"now": at(minute)}).get()
    assert mail.outbox == []
    assert not anomalies.is_anomalous(plugin.name)

    for minute in range(START + 60, START + 64):  # 40 failures a minute
        plugin.values[minute] = 40.0
        celery_task.apply(kwargs={"now": at(minute)}).get()
    (started,) = mail.outbox
    assert "Anomaly: Failed reminders" in started.subject
    assert "Failed reminders was 40 e-mails/min" in started.body
    assert "median of 3 e-mails/min" in started.body
    assert anomalies.is_anomalous(plugin.name)
    flagged = anomalies.current([plugin.name, "other"])
    assert list(flagged) == [plugin.name]
    assert flagged[plugin.name].started_minute == START + 61

    for minute in range(START + 64, START + 75):
        plugin.values[minute] = 3.0
        celery_task.apply(kwargs={"now": at(minute)}).get()
    assert len(mail.outbox) == 2
    assert "Anomaly over: Failed reminders" in mail.outbox[1].subject
    assert not anomalies.is_anomalous(plugin.name)


def test_flags_name_each_anomalous_series_and_since_when(prodready_plugin):
    plugin = prodready_plugin(SeriesPlugin())
    plugin.values.update({START + i: 2.0 + (i % 3) for i in range(60)})
    labels = {"school.other": "Other", plugin.name: "Failed reminders"}
    for minute in range(START + 20, START + 60):
        detect.detect(at(minute))
    assert anomalies.flags(labels) == []
    for minute in range(START + 60, START + 62):
        plugin.values[minute] = 40.0
        detect.detect(at(minute))
    started = datetime(2025, 2, 19, 22, 21, tzinfo=UTC)  # minute START + 61
    assert anomalies.flags(labels) == [anomalies.Flag("Failed reminders", started)]
    with timezone.override("Europe/Warsaw"):
        html = render_to_string(
            "prodready/dashboard/anomaly_flags.html", {"anomaly_flags": anomalies.flags(labels)}
        )
    assert "Failed reminders: unusual since 23:21" in html


def test_a_minute_is_scored_once_even_if_two_workers_run_the_task(prodready_plugin):
    plugin = prodready_plugin(SeriesPlugin())
    plugin.values.update({START + i: 1.0 for i in range(30)})
    assert [o.series for o in detect.detect(at(START + 29))] == [plugin.name]
    assert detect.detect(at(START + 29)) == []


def test_a_series_that_fails_is_logged_and_the_others_still_scored(prodready_plugin, caplog):
    prodready_plugin(SeriesPlugin("school.broken", fail=True))
    good = prodready_plugin(SeriesPlugin())
    good.values.update({START + i: 1.0 for i in range(30)})
    outcomes = {o.series: o for o in detect.detect(at(START + 29))}
    assert outcomes["school.broken"].score is None
    assert outcomes[good.name].score.value == 1.0
    assert "Time series 'school.broken' could not be read" in caplog.text


def test_two_series_with_one_name_are_a_plugin_error(prodready_plugin):
    prodready_plugin(SeriesPlugin())
    prodready_plugin(SeriesPlugin())
    with pytest.raises(PluginError, match=r"'school\.reminders_failed' more than once"):
        detect.detect(at(START))


def test_a_plugin_returning_something_else_is_named(prodready_plugin):
    class Wrong:
        @hookimpl
        def prodready_time_series(self):
            return ["school.reminders_failed"]

    prodready_plugin(Wrong(), name="wrong-plugin")
    with pytest.raises(PluginError, match="Plugin 'wrong-plugin' returned"):
        detect.detect(at(START))


def test_the_anomaly_api_flags_nothing_when_the_cache_fails():
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    ):
        assert anomalies.current(["x"]) == {}


@pytest.mark.parametrize(
    ("threshold", "cooldown", "ids"),
    [
        (6.0, 30, []),
        (0.5, 0, []),
        (0, 30, ["prodready.E012"]),
        (-2.0, -1, ["prodready.E012", "prodready.E013"]),
        ("6", 30, []),  # a wrong type is prodready.E002's
    ],
)
def test_anomaly_settings_check(threshold, cooldown, ids):
    from prodready.anomalies.checks import check_anomaly_settings

    with override_settings(
        PRODREADY_ANOMALY_THRESHOLD=threshold, PRODREADY_ANOMALY_COOLDOWN_MINUTES=cooldown
    ):
        errors = check_anomaly_settings()
    assert [error.id for error in errors] == ids
    for error in errors:
        assert "PRODREADY_ANOMALY_" in error.msg
        assert "PRODREADY_ANOMALY_" in error.hint
