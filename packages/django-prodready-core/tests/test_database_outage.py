"""PostgreSQL refused or dropped mid-connection: a 503 page with Retry-After, never a 500.

The ``postgres`` alias is put behind a TCP proxy the test controls, so "the database is
down" is real (psycopg's own errors) without stopping the shared server.
"""

import logging
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import close_old_connections, connections
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from prodready._ci import service_address
from prodready.database_outage import RETRY_AFTER, is_database_outage
from prodready.testing import TcpProxy

pytestmark = [
    pytest.mark.requires_postgres,
    pytest.mark.django_db(databases=["default", "postgres"], transaction=True),
    pytest.mark.urls(__name__),
]


def query(sql: str = "SELECT 1") -> int:
    with connections["postgres"].cursor() as cursor:
        cursor.execute(sql)
        return int(cursor.fetchone()[0])


def page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"answer {query()}")


def slow_page(request: HttpRequest) -> HttpResponse:
    # A bad query, not an outage: the server answers, with an error.
    query("SET statement_timeout = 10")
    return HttpResponse(f"answer {query('SELECT 1 FROM pg_sleep(1)')}")


class QueryingMiddleware:
    """Like sessions or authentication: a middleware that reads the database first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/middleware/"):
            query()
        return self.get_response(request)


urlpatterns = [path("page/", page), path("slow/", slow_page), path("middleware/", page)]
handler500 = "prodready.database_outage.server_error"


@pytest.fixture
def proxy(settings: Any) -> Iterator[TcpProxy]:
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.QueryingMiddleware"]
    host, port = service_address("requires_postgres")
    connection = connections["postgres"]
    saved = {key: connection.settings_dict[key] for key in ("HOST", "PORT", "CONN_MAX_AGE")}
    with TcpProxy(host, port) as running:
        connection.close()
        connection.settings_dict.update(HOST="127.0.0.1", PORT=running.port)
        try:
            yield running
        finally:
            connection.close()
            connection.settings_dict.update(saved)


def get(path: str) -> Any:
    """A request as a server handles it: Django's test client skips the end-of-request
    ``close_old_connections()`` that drops a connection broken by an error."""
    response = Client(raise_request_exception=False).get(path)
    close_old_connections()
    return response


def assert_unavailable(response: Any) -> None:
    __tracebackhide__ = True
    body = response.content.decode()
    assert response.status_code == 503, body
    assert response["Retry-After"] == str(RETRY_AFTER)
    assert response["Cache-Control"] == "no-store"
    assert "cannot reach its database" in body
    assert "Traceback" not in body
    assert "OperationalError" not in body
    # Safe under the strictest Content-Security-Policy.
    assert not re.search(r"<style|<script|\sstyle=", body)


def test_refused_answers_503_from_a_view_and_from_a_middleware(
    proxy: TcpProxy, caplog: pytest.LogCaptureFixture
) -> None:
    assert get("/page/").content == b"answer 1"
    proxy.refuse()
    with caplog.at_level(logging.ERROR, "django.request"):
        assert_unavailable(get("/page/"))
        assert_unavailable(get("/middleware/"))
    # Still logged, with the status that was sent: the people running the site see it.
    logged = [r.getMessage() for r in caplog.records]
    assert logged == ["Service Unavailable: /page/", "Service Unavailable: /middleware/"]
    proxy.restore()
    assert get("/page/").content == b"answer 1"


@pytest.mark.parametrize("health_checks", [False, True])
def test_a_kept_connection_that_the_server_dropped(proxy: TcpProxy, health_checks: bool) -> None:
    connections["postgres"].settings_dict.update(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=health_checks)
    assert get("/page/").content == b"answer 1"
    proxy.refuse()  # cuts the kept connection too
    assert_unavailable(get("/page/"))
    assert_unavailable(get("/page/"))
    proxy.restore()
    assert get("/page/").content == b"answer 1"


def test_a_failing_query_keeps_djangos_500(proxy: TcpProxy) -> None:
    response = get("/slow/")
    assert response.status_code == 500
    assert "Retry-After" not in response


@pytest.mark.parametrize(
    ("cause", "outage"),
    [
        (Exception(2003, "Can't connect to MySQL server"), True),
        (Exception(2013, "Lost connection to MySQL server during query"), True),
        (Exception(1205, "Lock wait timeout exceeded"), False),
        (Exception("database is locked"), False),  # SQLite: a file, not a server
        (None, False),
    ],
)
def test_other_drivers_errors(cause: Exception | None, outage: bool) -> None:
    from django.db import OperationalError

    error = OperationalError(*(cause.args if cause else ()))
    error.__cause__ = cause
    assert is_database_outage(error) is outage
