"""The pytest plugin shipped in prodready.testing, run in an inner pytest."""

import pytest

pytest_plugins = ["pytester"]

MARKED = """
import pytest

@pytest.mark.requires_postgres
def test_needs_postgres():
    pass
"""


@pytest.fixture
def unreachable(monkeypatch):
    # port 9 on loopback: nothing listens there
    monkeypatch.setenv("PRODREADY_TEST_POSTGRES", "127.0.0.1:9")


def test_missing_service_skips_with_what_was_missing(pytester, unreachable, monkeypatch):
    monkeypatch.delenv("PRODREADY_TEST_SERVICES", raising=False)
    pytester.makepyfile(MARKED)
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-rs", "-p", "no:django")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*PostgreSQL is not reachable at 127.0.0.1:9*"])


def test_missing_service_fails_when_services_are_required(pytester, unreachable, monkeypatch):
    monkeypatch.setenv("PRODREADY_TEST_SERVICES", "required")
    pytester.makepyfile(MARKED)
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:django")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*PRODREADY_TEST_SERVICES=required*"])


@pytest.mark.requires_postgres
def test_reachable_service_runs_and_is_counted(pytester):
    pytester.makepyfile(MARKED)
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:django")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["prodready services: PostgreSQL tests ran: 1"])
