"""prodready.conf: settings read lazily, and values derived from them kept until they change."""

import threading
import time

from django.test import override_settings

from prodready.conf import conf, derived_from


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
