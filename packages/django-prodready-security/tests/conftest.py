"""Hypothesis, bounded for CI (the same profile as the example project's tests).

``derandomize``: every run tries the same examples, so a failure in CI fails again on a
laptop. ``PRODREADY_HYPOTHESIS_PROFILE=explore`` draws fresh examples, and more of them.
"""

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

if TYPE_CHECKING:
    from prodready.testing import RedisServer

# Function-scoped fixtures (the database, the client) are shared by a test's examples on
# purpose: each example undoes its own writes (see the tests).
_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}
settings.register_profile("ci", max_examples=30, derandomize=True, database=None, **_COMMON)
settings.register_profile("explore", max_examples=500, **_COMMON)
settings.load_profile(os.environ.get("PRODREADY_HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _empty_default_cache() -> Iterator[None]:
    """Each test's database is rolled back, so what the default cache remembers of its
    rows (2FA devices and enrolment, by primary key) must go with it."""
    yield
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def own_redis() -> Iterator["RedisServer"]:
    """A redis-server of the test's own, to freeze or stop, with the circuit breakers
    reset before and after (a test that trips one must not leave it open)."""
    from prodready.breaker import reset as breaker_reset
    from prodready.testing import RedisServer

    breaker_reset()
    with RedisServer() as server:
        try:
            yield server
        finally:
            server.thaw()
            breaker_reset()
