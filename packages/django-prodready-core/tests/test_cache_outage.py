"""A signed-in page while the cache's Redis is frozen or stopped: misses, not errors.

The configuration that readiness finding ``prodready.R010`` asks for (django-redis
ignoring errors, socket timeouts, the breaker pool, ``cached_db`` sessions) keeps the
page working from the database; Django's own Redis backend, which R010 flags, does not.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path

from prodready import breaker
from prodready.cache_outage import problems
from prodready.health.checks.cache import CacheCheck
from prodready.health.runner import run_checks
from prodready.testing import RedisServer

pytestmark = [pytest.mark.requires_redis, pytest.mark.django_db, pytest.mark.urls(__name__)]

TIMEOUT = 0.3
BREAKER_POOL = "prodready.redis_breaker.BreakerConnectionPool"


@login_required
def visits(request: HttpRequest) -> HttpResponse:
    """Reads and writes the session, as most signed-in pages do."""
    count = request.session.get("visits", 0) + 1
    request.session["visits"] = count
    return HttpResponse(f"{request.user.get_username()} {count}")


urlpatterns = [path("visits/", visits), path("accounts/login/", visits, name="login")]


def degrading(server: RedisServer) -> dict[str, Any]:
    """What R010 asks for."""
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": f"{server.url}/0",
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": TIMEOUT,
            "SOCKET_TIMEOUT": TIMEOUT,
            "CONNECTION_POOL_CLASS": BREAKER_POOL,
        },
    }


def raising(server: RedisServer) -> dict[str, Any]:
    """Django's own Redis backend: with timeouts and the breaker, it still raises."""
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"{server.url}/0",
        "OPTIONS": {
            "socket_connect_timeout": TIMEOUT,
            "socket_timeout": TIMEOUT,
            "pool_class": BREAKER_POOL,
        },
    }


@pytest.fixture
def server() -> Iterator[RedisServer]:
    breaker.reset()
    with RedisServer() as running:
        yield running
        if running.running:
            running.thaw()


@contextmanager
def signed_in(config: dict[str, Any]) -> Iterator[Client]:
    with override_settings(
        CACHES={"default": config}, SESSION_ENGINE="django.contrib.sessions.backends.cached_db"
    ):
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.create_user("alice"))
        yield client


@pytest.mark.parametrize("outage", ["freeze", "stop"])
def test_signed_in_pages_keep_working_from_the_database(server: RedisServer, outage: str) -> None:
    with signed_in(degrading(server)) as client:
        assert client.get("/visits/").content == b"alice 1"
        assert problems() == []
        getattr(server, outage)()
        started = time.monotonic()
        pages = [client.get("/visits/") for _ in range(5)]
        elapsed = time.monotonic() - started
        assert [(page.status_code, page.content) for page in pages] == [
            (200, f"alice {n}".encode()) for n in range(2, 7)
        ]
        # The breaker: one timeout for the first read, not one per call or page.
        assert elapsed < 2 * TIMEOUT + 1.0


def test_djangos_own_redis_backend_turns_the_outage_into_errors(server: RedisServer) -> None:
    with signed_in(raising(server)) as client:
        assert client.get("/visits/").status_code == 200
        assert problems() == ["CACHES['default'] raises while Redis is down"]
        server.stop()
        assert client.get("/visits/").status_code == 500


def test_a_cache_that_degrades_is_not_critical_to_readiness(server: RedisServer) -> None:
    with override_settings(CACHES={"default": degrading(server), "strict": raising(server)}):
        lenient, strict = CacheCheck("default"), CacheCheck("strict")
        assert (lenient.critical, strict.critical) == (False, True)
        assert run_checks([lenient, strict]).status == "ok"
        server.stop()
        report = run_checks([lenient, strict])
        assert (report.status, report.failing) == ("failed", ["cache:default", "cache:strict"])
        (result,) = run_checks([CacheCheck("default")]).results
        assert (result.ok, result.critical) == (False, False)
        assert "ignores errors, so its server is probably unreachable" in result.message
        assert run_checks([CacheCheck("default")]).status == "degraded"
        caches["default"].close()
