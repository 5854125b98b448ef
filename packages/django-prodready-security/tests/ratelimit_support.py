"""A small site and real Redis caches for the rate-limit tests (``tests/test_ratelimit_*``).

``urlpatterns`` is the site: ``@pytest.mark.urls("tests.ratelimit_support")``.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis
from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import override_settings
from django.urls import path
from django_ratelimit.decorators import ratelimit

from prodready._ci import service_address
from prodready.testing import RedisServer

REDIS_DB = 5  # the rate-limit tests' own database; only keys under a test's prefix are removed
LOGIN_TEMPLATE = "<form method='post'>{% csrf_token %}{{ form.as_p }}</form>"


# --- the site -------------------------------------------------------------------------


def items(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"items": []})


async def async_items(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"items": [], "async": True})


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello")


@ratelimit(key="ip", rate="2/m", block=True)
def decorated(request: HttpRequest) -> HttpResponse:
    return HttpResponse("decorated")


urlpatterns = [
    path("api/items/", items, name="api-items"),
    path("api/async/", async_items, name="api-async"),
    path("pages/hello/", hello, name="hello"),
    path("decorated/", decorated, name="decorated"),
    path("login/", LoginView.as_view(), name="login"),
    path("admin/", admin.site.urls),
]

# Django ships no registration/login.html; LoginView needs one.
LOGIN_TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": False,
        "OPTIONS": {
            "loaders": [
                (
                    "django.template.loaders.locmem.Loader",
                    {"registration/login.html": LOGIN_TEMPLATE},
                ),
                "django.template.loaders.app_directories.Loader",
            ],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]


# --- caches ---------------------------------------------------------------------------


def redis_url(port: int | None = None, db: int = REDIS_DB) -> str:
    host, default_port = service_address("requires_redis")
    return f"redis://{host}:{port or default_port}/{db}"


def redis_caches(location: str, prefix: str, **options: Any) -> dict[str, Any]:
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1, **options},
        }
    }


@contextmanager
def redis_cache(**options: Any) -> Iterator[str]:
    """The default cache on the shared Redis under a fresh key prefix; its keys go after."""
    prefix = f"prodready-test-{uuid.uuid4().hex[:12]}"
    try:
        with override_settings(CACHES=redis_caches(redis_url(), prefix, **options)):
            yield prefix
    finally:
        client = redis.Redis.from_url(redis_url())
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        client.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def nothing_listening() -> Iterator[str]:
    """The default cache pointed at a local port where no server listens."""
    with override_settings(CACHES=redis_caches(f"redis://127.0.0.1:{free_port()}/0", "down")):
        yield "down"


# The Redis that ``stop_redis_key`` stops: set by the test that uses it.
redis_to_stop: list[RedisServer] = []


def stop_redis_key(group: str, request: HttpRequest) -> str:
    """A rule key that stops Redis while the request is being checked."""
    for server in redis_to_stop:
        server.stop()
    return "everyone"


class CountingConnection(redis.connection.Connection):
    """A real connection that counts what it sends: one packed send is one round trip."""

    sent = 0

    def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        CountingConnection.sent += 1  # also when subclassed (the limiter adds its breaker)
        super().send_packed_command(command, check_health)


@contextmanager
def counting_redis_cache() -> Iterator[type[CountingConnection]]:
    """Like :func:`redis_cache`, through connections that count round trips.

    django-redis keeps one pool per URL, so a URL of its own gets this test a new pool.
    """
    with redis_cache() as prefix:
        location = f"{redis_url()}?client_name={prefix}"
        pool = {"connection_class": CountingConnection}
        caches = redis_caches(location, prefix, CONNECTION_POOL_KWARGS=pool)
        with override_settings(CACHES=caches):
            yield CountingConnection
