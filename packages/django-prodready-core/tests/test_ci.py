"""The repository's service markers (prodready._ci), run in an inner pytest.

The inner run loads ``prodready._ci`` as the root pyproject.toml does; the public plugin
(``prodready.testing``, loaded through its entry point) knows nothing of these markers.
"""

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
    result = pytester.runpytest_subprocess(
        "-p", "no:randomly", "-p", "prodready._ci", "-rs", "-p", "no:django"
    )
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*PostgreSQL is not reachable at 127.0.0.1:9*"])


def test_missing_service_fails_when_services_are_required(pytester, unreachable, monkeypatch):
    monkeypatch.setenv("PRODREADY_TEST_SERVICES", "required")
    pytester.makepyfile(MARKED)
    result = pytester.runpytest_subprocess(
        "-p", "no:randomly", "-p", "prodready._ci", "-p", "no:django"
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*PRODREADY_TEST_SERVICES=required*"])


@pytest.mark.requires_postgres
def test_reachable_service_runs_and_is_counted(pytester):
    pytester.makepyfile(MARKED)
    result = pytester.runpytest_subprocess(
        "-p", "no:randomly", "-p", "prodready._ci", "-p", "no:django"
    )
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["prodready services: PostgreSQL tests ran: 1"])


def test_the_public_plugin_leaves_the_markers_to_the_repository(pytester):
    pytester.makepyfile(MARKED)
    result = pytester.runpytest_subprocess(
        "--strict-markers", "-p", "no:randomly", "-p", "no:django"
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*'requires_postgres' not found in `markers` configuration*"])


def test_the_public_plugin_still_gives_its_fixtures(pytester):
    pytester.makepyfile(
        """
        def test_fixtures(prodready_plugin, audit_events):
            assert callable(prodready_plugin)
            assert audit_events == []
        """
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:randomly", "-p", "django", "--ds", "tests.settings"
    )
    result.assert_outcomes(passed=1)
