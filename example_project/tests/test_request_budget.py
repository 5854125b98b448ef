"""The per-request budget, counted exactly: Redis round trips and database queries.

DESIGN.md's budget: the whole production middleware stack adds at most one Redis round
trip and no database query to a steady-state signed-in request. Here the production
settings (``tests.browser.settings``: the production module, its middleware, cache and
session engine) run on PostgreSQL and on a redis-server of the test's own, and each page
is requested once to warm up, then once counted:

- round trips: ``prodready.testing``'s ``redis_round_trips`` fixture (a pipeline's
  commands are one round trip), so the count is what the page waits for, not commands;
- queries: Django's ``CaptureQueriesContext`` on the default database.

The test database is chosen once per pytest run, so ``test_budget_on_the_production_stack``
runs this module again in a pytest of its own with the production settings; the counting
tests skip in any other run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from prodready._ci import service_address
from prodready.testing import RedisRoundTrips, RedisServer

EXAMPLE = Path(__file__).resolve().parent.parent
CONFIG = EXAMPLE.parent / "pyproject.toml"
INNER = "PRODREADY_REQUEST_BUDGET_RUN"


@pytest.mark.requires_postgres
@pytest.mark.skipif(bool(os.environ.get(INNER)), reason="the production-settings run itself")
def test_budget_on_the_production_stack() -> None:
    host, port = service_address("requires_postgres")
    server = RedisServer()
    server.start()
    try:
        env = {
            **os.environ,
            INNER: "1",
            "PRODREADY_TEST_POSTGRES": f"{host}:{port}",
            "PRODREADY_TEST_REDIS": f"127.0.0.1:{server.port}",
        }
        command = [sys.executable, "-m", "pytest", "-c", str(CONFIG), "--rootdir", "."]
        command += ["-q", "-p", "no:cacheprovider", "-p", "no:randomly"]
        command += ["--ds", "tests.browser.settings", "tests/test_request_budget.py"]
        completed = subprocess.run(
            command, cwd=EXAMPLE, env=env, capture_output=True, text=True, timeout=600, check=False
        )
    finally:
        server.stop()
    output = completed.stdout[-8000:] + completed.stderr[-2000:]
    assert completed.returncode == 0, output
    assert "3 passed, 1 skipped" in completed.stdout, output  # every page was counted


# --- the counted run (production settings) -------------------------------------------

counted = pytest.mark.skipif(not os.environ.get(INNER), reason="runs with production settings")


@pytest.fixture(scope="module")
def static_files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Static files collected, with the manifest, as the production image does."""
    from django.core.management import call_command
    from django.test import override_settings

    if not os.environ.get(INNER):
        pytest.skip("runs with production settings")
    with override_settings(STATIC_ROOT=str(tmp_path_factory.mktemp("static"))):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield


@pytest.fixture
def clean_redis(static_files: None) -> Iterator[None]:
    from django_redis import get_redis_connection

    get_redis_connection("default").flushdb()
    yield
    get_redis_connection("default").flushdb()


def measure(client: Any, path: str, redis_round_trips: RedisRoundTrips) -> tuple[int, list[str]]:
    """Redis round trips and database queries (their SQL) of a steady-state GET of ``path``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    warm_up = client.get(path)
    assert warm_up.status_code == 200, (path, warm_up.status_code)
    redis_round_trips.count = 0
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return redis_round_trips.count, [query["sql"] for query in queries.captured_queries]


def listening(client: Any, path: str) -> None:
    """Two requests of ``path``: 2FA state read from the database, then from the cache,
    which starts this process's listener for device changes; then wait until it listens
    (``prodready_security.otp.device_memo``), so that the next read is kept."""
    from prodready_security.otp import device_memo

    for _ in range(2):
        assert client.get(path).status_code == 200
    deadline = time.monotonic() + 10  # its thread subscribing; a liveness bound
    while not device_memo.memo.listening and time.monotonic() < deadline:
        time.sleep(0.01)


def signed_in(client: Any, user: Any, *, verified: bool) -> None:
    from django_otp import DEVICE_ID_SESSION_KEY

    from prodready_security.otp.models import EncryptedTOTPDevice

    client.force_login(user)
    if verified:
        device = EncryptedTOTPDevice.create_pending(user)
        device.confirmed = True
        device.save()
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


@counted
@pytest.mark.django_db
def test_anonymous_trivial_page(
    client: Any, clean_redis: None, redis_round_trips: RedisRoundTrips
) -> None:
    trips, sql = measure(client, "/health/live", redis_round_trips)
    assert (trips, len(sql)) == (0, 0), "\n".join(s[:160] for s in sql)


@counted
@pytest.mark.django_db
def test_signed_in_trivial_page_without_2fa(
    client: Any, clean_redis: None, redis_round_trips: RedisRoundTrips, django_user_model: Any
) -> None:
    # Not staff, so 2FA is not required of them, and they have not enrolled. Django's
    # own cost: the user (one query) and the session, from the cache (one round trip);
    # the home page's: whether they tutor (one query). The stack's: nothing. Whether
    # they enrolled in 2FA is read from the cache once, then kept by this process like
    # the verified device below.
    signed_in(client, django_user_model.objects.create_user("pupil"), verified=False)
    listening(client, "/")
    trips, sql = measure(client, "/", redis_round_trips)
    assert (trips, len(sql)) == (1, 2), "\n".join(s[:160] for s in sql)


@counted
@pytest.mark.django_db
def test_signed_in_realistic_page_verified_with_2fa(
    client: Any, clean_redis: None, redis_round_trips: RedisRoundTrips
) -> None:
    from school import demo_data
    from tests.roles import school_admin

    demo_data.seed()
    admin = school_admin("budget-admin")
    signed_in(client, admin, verified=True)
    # Django's: the session (one round trip), the user and their permissions (three
    # queries); the view's: the lessons' two lists. The stack's: nothing. The verified
    # device is read from the cache once, then kept by this process until any process
    # announces a change to it (prodready_security.otp.device_memo), which it does once
    # it listens for those announcements.
    listening(client, "/school/lessons/")
    trips, sql = measure(client, "/school/lessons/", redis_round_trips)
    assert (trips, len(sql)) == (1, 5), "\n".join(s[:160] for s in sql)
