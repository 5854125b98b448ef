"""Fixtures shared by core's tests."""

import pytest

from prodready.health.checks import BUILTIN_KINDS
from prodready.health.probes import kept
from prodready.health.runner import clear_cache, wait_until_idle
from prodready.health.testing import FakeCheck
from prodready.plugins import hookimpl


@pytest.fixture
def fresh_health():
    """No cached report before the test, and no check thread left running after it."""
    clear_cache()
    yield
    clear_cache()
    assert wait_until_idle(5), "a check thread outlived its test"
    kept.forget()


@pytest.fixture
def use_checks(prodready_plugin, settings, fresh_health):
    """Replace the built-in health checks by the given ones; checks that block
    (``FakeCheck(block=True)``) are released when the test ends."""
    settings.PRODREADY_HEALTH_DISABLED = list(BUILTIN_KINDS)
    used = []

    def use(*checks):
        class Plugin:
            @hookimpl
            def prodready_health_checks(self):
                return list(checks)

        prodready_plugin(Plugin())
        used.extend(checks)
        clear_cache()

    yield use
    for check in used:
        if isinstance(check, FakeCheck):
            check.release.set()
