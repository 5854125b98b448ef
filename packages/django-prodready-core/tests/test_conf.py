"""prodready.conf: settings read lazily and type-checked as they are read (so run-time code
meets a clear error, not a TypeError), and values derived from them kept until they change.
"""

import threading
import time

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from prodready.conf import InvalidSetting, conf, derived_from
from prodready.health.runner import clear_cache, get_report


def test_properties_read_the_setting_each_time():
    assert conf.HEALTH_DEADLINE == 5.0
    with override_settings(PRODREADY_HEALTH_DEADLINE=9.0):
        assert conf.HEALTH_DEADLINE == 9.0


def test_a_derived_value_is_computed_once_until_its_setting_changes():
    computed = []

    @derived_from("PRODREADY_HEALTH_DISABLED")
    def disabled() -> frozenset[str]:
        computed.append(1)
        return frozenset(conf.HEALTH_DISABLED)

    assert disabled() == disabled() == frozenset()
    assert len(computed) == 1
    with override_settings(PRODREADY_HEALTH_TOKEN="unrelated"):
        assert disabled() == frozenset()
    assert len(computed) == 1  # another setting changed: kept
    with override_settings(PRODREADY_HEALTH_DISABLED=["disk"]):
        assert disabled() == frozenset({"disk"})
    assert disabled() == frozenset()  # and back when the override ends
    assert len(computed) == 3


def test_without_names_any_setting_change_recomputes():
    computed = []

    @derived_from()
    def anything() -> int:
        computed.append(1)
        return len(computed)

    assert anything() == 1
    with override_settings(DEBUG=True):
        assert anything() == 2


def test_threads_racing_for_the_first_value_compute_it_once():
    computed = []
    started = threading.Barrier(8)

    @derived_from("PRODREADY_HEALTH_DISABLED")
    def slow() -> object:
        computed.append(1)
        time.sleep(0.05)  # long enough for every thread to arrive while it computes
        return object()

    results = []

    def read():
        started.wait()
        results.append(slow())

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(computed) == 1
    assert len({id(value) for value in results}) == 1


def test_a_per_thread_value_is_computed_once_in_each_thread_until_its_setting_changes():
    computed = []

    @derived_from("PRODREADY_HEALTH_DISABLED", per_thread=True)
    def own() -> object:
        computed.append(threading.get_ident())
        return object()

    def in_thread() -> object:
        found = []
        thread = threading.Thread(target=lambda: found.extend([own(), own()]))
        thread.start()
        thread.join(timeout=10)
        assert found[0] is found[1]
        return found[0]

    mine = own()
    assert own() is mine
    theirs = in_thread()
    assert theirs is not mine
    assert len(computed) == 2
    with override_settings(PRODREADY_HEALTH_TOKEN="unrelated"):
        assert own() is mine
    with override_settings(PRODREADY_HEALTH_DISABLED=["disk"]):
        assert own() is not mine
    own.forget()
    assert own() is not mine
    assert len(computed) == 4


def test_on_forget_is_given_the_dropped_value_when_its_setting_changes_or_it_is_forgotten():
    closed = []

    @derived_from("PRODREADY_HEALTH_DISABLED", on_forget=closed.append)
    def held() -> list[str]:
        return list(conf.HEALTH_DISABLED)

    first = held()
    with override_settings(PRODREADY_HEALTH_TOKEN="unrelated"):
        assert held() is first
    assert closed == []
    with override_settings(PRODREADY_HEALTH_DISABLED=["disk"]):
        assert held() == ["disk"]
    assert closed[0] is first
    assert closed[1] == ["disk"]
    held.forget()
    assert len(closed) == 2  # nothing was held: nothing to close
    held()
    held.forget()
    assert closed[2] == []


def test_a_per_thread_value_cannot_be_closed_on_forget():
    with pytest.raises(TypeError):
        derived_from(per_thread=True, on_forget=print)


@pytest.mark.parametrize(
    ("name", "value", "found"),
    [
        ("HEALTH_DEADLINE", "5", "found str '5'"),
        ("HEALTH_DISK_MIN_FREE_MB", 1.5, "found float 1.5"),
        ("HEALTH_DISABLED", "disk", "found str 'disk'"),
        ("NOTIFY_MIN_LEVEL", "loud", "found str 'loud'"),
        ("HEALTH_TOKEN", 12345, "found int."),  # may be a secret: never quoted
    ],
)
def test_a_mistyped_setting_raises_naming_setting_type_and_value(name, value, found):
    with (
        override_settings(**{f"PRODREADY_{name}": value}),
        pytest.raises(InvalidSetting) as caught,
    ):
        getattr(conf, name)
    message = str(caught.value)
    assert message.startswith(f"PRODREADY_{name} must be ")
    assert found in message
    assert "prodready.E002" in message
    assert isinstance(caught.value, ImproperlyConfigured)
    assert caught.value.setting == f"PRODREADY_{name}"


def test_the_value_of_a_secret_is_never_in_the_message():
    with override_settings(PRODREADY_HEALTH_TOKEN=b"s3cr3t"), pytest.raises(InvalidSetting) as e:
        conf.HEALTH_TOKEN  # noqa: B018
    assert "s3cr3t" not in str(e.value)
    assert "found bytes." in str(e.value)


def test_a_long_value_is_shortened():
    with (
        override_settings(PRODREADY_HEALTH_DISABLED="x" * 500),
        pytest.raises(InvalidSetting) as e,
    ):
        conf.HEALTH_DISABLED  # noqa: B018
    assert len(str(e.value)) < 300


def test_right_values_and_defaults_are_returned_as_they_are():
    paths = ["/srv/media"]
    with override_settings(PRODREADY_HEALTH_DEADLINE=3, PRODREADY_HEALTH_DISK_PATHS=paths):
        assert conf.HEALTH_DEADLINE == 3
        assert conf.HEALTH_DISK_PATHS is paths
    assert conf.HEALTH_DEADLINE == 5.0


def test_a_value_is_checked_again_once_it_changes():
    with override_settings(PRODREADY_HEALTH_DEADLINE=3):
        assert conf.HEALTH_DEADLINE == 3
    with override_settings(PRODREADY_HEALTH_DEADLINE="3"), pytest.raises(InvalidSetting):
        conf.HEALTH_DEADLINE  # noqa: B018


def test_checks_that_read_a_mistyped_setting_leave_it_to_e002():
    """Every registered check still runs; the mistyped setting is one E002, no crash."""
    overrides = {"PRODREADY_TRUSTED_PROXIES": "10.0.0.1", "PRODREADY_NOTIFY_WEBHOOK_TIMEOUT": "5"}
    with override_settings(**overrides):
        found = [m for m in checks.run_checks() if m.id.startswith("prodready.")]
    assert sorted(m.id for m in found) == ["prodready.E002", "prodready.E002"]
    assert {m.msg.split()[0] for m in found} == set(overrides)


@pytest.mark.parametrize(
    "name", ["HEALTH_DEADLINE", "HEALTH_CACHE_SECONDS", "HEALTH_CHECK_TIMEOUT", "HEALTH_DISABLED"]
)
def test_a_mistyped_health_setting_is_a_failed_settings_check(name, fresh_health):
    with override_settings(**{f"PRODREADY_{name}": object()}):
        clear_cache()
        report = get_report()
    [result] = report.results
    assert (result.name, result.status, result.critical) == ("settings", "failed", True)
    assert result.message.startswith(f"PRODREADY_{name} must be ")
    assert report.http_status == 503
