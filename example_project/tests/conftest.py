"""Hypothesis, bounded for CI, as in django-prodready-security's tests; fewer examples
here, as every field's boundary values are also tried one by one.

``derandomize``: every run tries the same examples, so a failure in CI fails again on a
laptop. ``PRODREADY_HYPOTHESIS_PROFILE=explore`` draws fresh examples, and more of them.
"""

import os

from hypothesis import HealthCheck, settings

# The production stack, started once for the tests that ask for it (stack_fixture.py).
from tests.stack_fixture import production_stack, stack  # noqa: F401

# Function-scoped fixtures (the database, the client) are shared by a test's examples on
# purpose: each example undoes its own writes (see the tests).
_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}
settings.register_profile("ci", max_examples=15, derandomize=True, database=None, **_COMMON)
settings.register_profile("explore", max_examples=500, **_COMMON)
settings.load_profile(os.environ.get("PRODREADY_HYPOTHESIS_PROFILE", "ci"))
