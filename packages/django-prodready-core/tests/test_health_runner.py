"""The runner: concurrency, timeouts naming the hung check, caching, generic errors."""

import logging
import threading
import time

import pytest
from django.db import connections
from django.db.backends.signals import connection_created

from prodready.health.base import HealthCheck, HealthCheckError
from prodready.health.checks import BUILTIN_KINDS
from prodready.health.runner import (
    clear_cache,
    get_report,
    run_checks,
    run_enabled_checks,
)
from prodready.health.testing import FakeCheck
from prodready.plugins import hookimpl

pytestmark = pytest.mark.usefixtures("fresh_health")


@pytest.fixture
def blocked():
    """A check that hangs until the test ends."""
    check = FakeCheck(f"blocked:{id(object())}", block=True, timeout=0.2)
    yield check
    check.release.set()


class BarrierCheck(HealthCheck):
    """Passes only if every check sharing the barrier runs at the same time."""

    def __init__(self, name, barrier):
        self.name = name
        self.barrier = barrier

    def check(self):
        try:
            self.barrier.wait()
        except threading.BrokenBarrierError:
            raise HealthCheckError("not run concurrently") from None
        return None


def test_checks_run_concurrently():
    barrier = threading.Barrier(3, timeout=3)
    checks = [BarrierCheck(f"barrier:{i}", barrier) for i in range(3)]

    report = run_checks(checks)

    assert [r.status for r in report.results] == ["ok", "ok", "ok"]


def test_results_keep_status_criticality_and_message():
    checks = [
        FakeCheck("fake:up", detail="12 items"),
        FakeCheck("fake:down", error=HealthCheckError("queue is full")),
        FakeCheck("fake:optional", critical=False, error=HealthCheckError("slow")),
    ]

    report = run_checks(checks)

    assert [(r.name, r.status, r.critical, r.message) for r in report.results] == [
        ("fake:up", "ok", True, "12 items"),
        ("fake:down", "failed", True, "queue is full"),
        ("fake:optional", "failed", False, "slow"),
    ]
    assert all(r.latency_ms >= 0 for r in report.results)
    assert report.status == "failed"


def test_a_hung_check_is_reported_by_name_with_how_long_it_waited(blocked):
    started = time.monotonic()
    report = run_checks([blocked, FakeCheck("fake:up")])
    elapsed = time.monotonic() - started

    hung, up = report.results
    assert hung.status == "timeout"
    assert hung.message == f"{blocked.name} did not answer within 0.2 s"
    assert hung.latency_ms >= 200
    assert up.status == "ok"
    assert elapsed < 5  # returned, did not hang with the check


def test_the_default_timeout_comes_from_the_setting(settings):
    settings.PRODREADY_HEALTH_CHECK_TIMEOUT = 0.1
    check = FakeCheck("blocked:default-timeout", block=True)
    try:
        (result,) = run_checks([check]).results
    finally:
        check.release.set()

    assert result.message == "blocked:default-timeout did not answer within 0.1 s"


def test_the_overall_deadline_cuts_checks_with_longer_timeouts():
    check = FakeCheck("blocked:deadline", block=True, timeout=30)
    try:
        (result,) = run_checks([check], deadline=0.2).results
    finally:
        check.release.set()

    assert result.status == "timeout"
    assert result.message == "blocked:deadline did not answer within 0.2 s (the overall deadline)"


def test_a_check_still_hanging_is_not_started_again(blocked):
    run_checks([blocked])
    (second,) = run_checks([blocked]).results

    assert blocked.runs == 1
    assert second.status == "timeout"
    assert "has not answered for" in second.message
    assert "still waiting" in second.message


def test_a_check_that_recovered_runs_again(blocked):
    run_checks([blocked])
    blocked.release.set()
    time.sleep(0.05)  # let the released thread finish

    (result,) = run_checks([blocked]).results

    assert result.status == "ok"
    assert blocked.runs == 2


def test_unexpected_exceptions_are_logged_and_reported_generically(caplog):
    check = FakeCheck("fake:buggy", error=ValueError("password=hunter2 at db.internal"))

    with caplog.at_level(logging.ERROR, logger="prodready.health.runner"):
        (result,) = run_checks([check]).results

    assert result.status == "failed"
    assert result.message == "unexpected ValueError; see the server log"
    (record,) = caplog.records
    assert record.exc_info is not None
    assert "fake:buggy" in record.getMessage()


def test_a_check_error_logs_its_cause_but_shows_only_its_message(caplog):
    cause = ConnectionError("refused by 10.0.0.5")
    error = HealthCheckError("broker unreachable")
    error.__cause__ = cause

    with caplog.at_level(logging.WARNING, logger="prodready.health.runner"):
        (result,) = run_checks([FakeCheck("fake:broker", error=error)]).results

    assert result.message == "broker unreachable"
    assert caplog.records[0].exc_info[1] is cause


def test_disabled_checks_are_skipped_by_name_or_kind(use_checks, settings):
    use_checks(FakeCheck("x:one"), FakeCheck("x:two"), FakeCheck("y:a"), FakeCheck("z"))
    settings.PRODREADY_HEALTH_DISABLED = [*BUILTIN_KINDS, "x:one", "y"]

    report = run_enabled_checks()

    assert [r.name for r in report.results] == ["x:two", "z"]


def test_checks_with_a_duplicate_or_empty_name_are_skipped_and_logged(use_checks, caplog):
    use_checks(FakeCheck("dup"), FakeCheck("dup"), FakeCheck(""))

    with caplog.at_level(logging.ERROR, logger="prodready.health.runner"):
        report = run_enabled_checks()

    assert [r.name for r in report.results] == ["dup"]
    assert len(caplog.records) == 2


def test_a_plugin_that_breaks_the_hook_contract_fails_the_report(prodready_plugin, caplog):
    class Broken:
        @hookimpl
        def prodready_health_checks(self):
            return ["not a check"]

    prodready_plugin(Broken())

    with caplog.at_level(logging.ERROR, logger="prodready.health.runner"):
        report = run_enabled_checks()

    assert report.status == "failed"
    assert report.summary() == {"status": "failed", "failing": ["plugins"]}
    assert "not a check" not in str(report.detail())
    assert caplog.records[0].exc_info is not None


def test_two_reports_within_the_cache_window_run_the_checks_once(use_checks):
    check = FakeCheck("fake:counted")
    use_checks(check)

    first = get_report()
    second = get_report()

    assert check.runs == 1
    assert second is first


def test_a_fresh_report_can_be_asked_for(use_checks):
    check = FakeCheck("fake:counted")
    use_checks(check)

    get_report()
    get_report(max_age=0)

    assert check.runs == 2


def test_the_cache_expires(use_checks, settings):
    check = FakeCheck("fake:counted")
    use_checks(check)
    settings.PRODREADY_HEALTH_CACHE_SECONDS = 0.05

    get_report()
    time.sleep(0.1)
    get_report()

    assert check.runs == 2


def test_concurrent_probes_share_one_run(use_checks):
    check = FakeCheck("fake:slow", delay=0.2)
    use_checks(check)
    start = threading.Barrier(10)
    reports = []

    def probe():
        start.wait()
        reports.append(get_report())

    threads = [threading.Thread(target=probe) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)

    assert check.runs == 1
    assert len(reports) == 10
    assert all(report is reports[0] for report in reports)


def test_clearing_the_cache_runs_the_checks_again(use_checks):
    check = FakeCheck("fake:counted")
    use_checks(check)

    get_report()
    clear_cache()
    get_report()

    assert check.runs == 2


def test_a_changed_setting_runs_the_checks_again(use_checks, settings):
    check = FakeCheck("fake:counted")
    use_checks(check)

    get_report()
    settings.PRODREADY_HEALTH_TOKEN = "another"  # any setting may change which checks exist
    get_report()

    assert check.runs == 2


class RawConnectionCheck(HealthCheck):
    """Uses the thread's own connection, as a plugin's check might."""

    def __init__(self, alias):
        self.alias = alias
        self.name = f"raw:{alias}"
        self.wrapper = None

    def check(self):
        self.wrapper = connections[self.alias]
        with self.wrapper.cursor() as cursor:
            cursor.execute("SELECT 1")
        return None


@pytest.mark.requires_postgres
@pytest.mark.django_db(databases=["default", "postgres"])
def test_database_connections_opened_by_checks_are_closed(settings):
    from prodready.health.checks import DatabaseCheck

    # Not the probe connection kept for the next run (see test_health_probes.py).
    settings.PRODREADY_HEALTH_REUSE_CONNECTIONS = False

    opened = []

    def record(sender, connection, **kwargs):
        opened.append(connection)

    raw = RawConnectionCheck("postgres")
    connection_created.connect(record)
    try:
        report = run_checks([raw, DatabaseCheck("postgres")])
    finally:
        connection_created.disconnect(record)

    assert [r.status for r in report.results] == ["ok", "ok"]
    assert raw.wrapper is not connections["postgres"]  # it ran in a thread of its own
    assert len(opened) == 2
    assert [wrapper.connection for wrapper in opened] == [None, None]
