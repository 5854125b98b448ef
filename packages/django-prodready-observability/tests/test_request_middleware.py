"""The request middleware: its id, its one log line, the hook, sync and async."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import get_user_model
from django.test import AsyncClient, Client, override_settings

from prodready.plugins import hookimpl
from tests.site import SETTINGS

GENERATED = re.compile(r"[0-9a-f]{32}")
REQUESTS_LOGGER = "prodready.requests"


@pytest.fixture(autouse=True)
def site() -> Iterator[None]:
    with override_settings(**SETTINGS):
        yield


def request_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == REQUESTS_LOGGER]


def test_a_new_id_is_returned_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    response = Client().get("/lessons/7/", HTTP_USER_AGENT="probe/1.0")
    request_id = response["X-Request-ID"]
    assert GENERATED.fullmatch(request_id)
    assert response.json() == {"request_id": request_id}  # the view saw it too
    [line] = request_lines(caplog)
    assert line.levelno == logging.INFO
    fields = {key: getattr(line, key) for key in ("method", "route", "status", "request_id")}
    assert fields == {
        "method": "GET",
        "route": "lessons/<int:pk>/",
        "status": 200,
        "request_id": request_id,
    }
    assert line.client_ip == "127.0.0.1"  # type: ignore[attr-defined]
    assert line.user_agent == "probe/1.0"  # type: ignore[attr-defined]
    assert line.user_id is None  # type: ignore[attr-defined]
    assert line.duration_ms >= 0  # type: ignore[attr-defined]
    assert line.getMessage().startswith("GET lessons/<int:pk>/ 200 ")
    # Where it was logged from, as logger.log() would have found it.
    assert (line.module, line.funcName, line.lineno > 0) == ("record", "finish", True)


def test_a_well_formed_incoming_id_is_kept() -> None:
    response = Client().get("/lessons/1/", HTTP_X_REQUEST_ID="edge-4bf92f35.1")
    assert response["X-Request-ID"] == "edge-4bf92f35.1"


@pytest.mark.parametrize(
    "incoming",
    ["x" * 65, "y" * 1_000_000, "a b", "id\tSet-Cookie", "<svg onload=alert(1)>", "é" * 10],
)
def test_a_malformed_incoming_id_is_replaced_never_echoed(
    incoming: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    response = Client().get("/lessons/1/", HTTP_X_REQUEST_ID=incoming)
    assert response.status_code == 200
    assert GENERATED.fullmatch(response["X-Request-ID"])
    assert incoming not in response.content.decode()
    [line] = request_lines(caplog)
    assert line.request_id == response["X-Request-ID"]  # type: ignore[attr-defined]


@override_settings(PRODREADY_ANALYTICS_TRUST_REQUEST_ID=False)
def test_incoming_ids_are_ignored_when_not_trusted() -> None:
    response = Client().get("/lessons/1/", HTTP_X_REQUEST_ID="edge-1")
    assert GENERATED.fullmatch(response["X-Request-ID"])


@override_settings(PRODREADY_ANALYTICS_REQUEST_ID_HEADER="X-Correlation-ID")
def test_the_header_name_is_a_setting() -> None:
    response = Client().get("/lessons/1/", HTTP_X_CORRELATION_ID="corr-9")
    assert response["X-Correlation-ID"] == "corr-9"
    assert "X-Request-ID" not in response


def test_absurd_headers_raise_nothing(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    agent = "A" * 200_000
    response = Client().get(
        "/lessons/1/", HTTP_USER_AGENT=agent, HTTP_X_FORWARDED_FOR="1.2.3.4," * 10_000
    )
    assert response.status_code == 200
    [line] = request_lines(caplog)
    assert len(line.user_agent) == 256  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "path", ["/%ff%fe/", "/lessons/%c3%28/", "/lessons/%ff/", "/" + "a" * 10_000]
)
def test_odd_paths_raise_nothing(path: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    response = Client().get(path)
    assert response.status_code == 404
    [line] = request_lines(caplog)
    assert line.route == "<unmatched>"  # type: ignore[attr-defined]
    assert GENERATED.fullmatch(response["X-Request-ID"])


@override_settings(PRODREADY_ANALYTICS_SLOW_REQUEST_MS=10)
def test_a_slow_request_is_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    Client().get("/slow/")
    Client().get("/lessons/1/")
    slow, fast = request_lines(caplog)
    assert (slow.levelno, slow.route) == (logging.WARNING, "slow/")  # type: ignore[attr-defined]
    assert slow.duration_ms >= 50  # type: ignore[attr-defined]
    assert fast.levelno == logging.INFO


def test_health_and_metrics_are_skipped_but_keep_their_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    responses = [Client().get(path) for path in ("/health/", "/metrics")]
    assert request_lines(caplog) == []
    assert all(GENERATED.fullmatch(response["X-Request-ID"]) for response in responses)


@override_settings(PRODREADY_ANALYTICS_SKIP_PATHS=["/lessons"])
def test_skipped_paths_are_a_setting(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    Client().get("/lessons/1/")
    Client().get("/health/")
    assert [line.route for line in request_lines(caplog)] == ["health/"]  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_the_signed_in_user_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    user = get_user_model().objects.create_user("ada", password="not-used-here")
    client = Client()
    client.force_login(user)
    response = client.get("/whoami/")
    assert response.json() == {"user": user.pk, "context_user": str(user.pk)}
    view_line = next(record for record in caplog.records if record.name == "tests.site")
    [line] = request_lines(caplog)
    assert line.user_id == str(user.pk)  # type: ignore[attr-defined]
    assert view_line.getMessage() == "whoami"


def test_the_user_is_never_loaded_just_to_be_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    Client().get("/lessons/1/")  # no database access allowed in this test: none happens
    [line] = request_lines(caplog)
    assert line.user_id is None  # type: ignore[attr-defined]


def test_async_views_get_their_id_and_line(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)

    async def get() -> Any:
        return await AsyncClient().get("/async/lessons/3/", headers={"X-Request-ID": "async-1"})

    response = async_to_sync(get)()
    assert response["X-Request-ID"] == "async-1"
    assert response.json() == {"request_id": "async-1"}
    [line] = request_lines(caplog)
    assert (line.route, line.request_id) == ("async/lessons/<int:pk>/", "async-1")  # type: ignore[attr-defined]


def test_the_middleware_is_async_capable_in_an_async_stack() -> None:
    from asgiref.sync import iscoroutinefunction

    from prodready_observability.requests.middleware import RequestMiddleware

    async def view(request: Any) -> Any:
        raise AssertionError("not called")

    assert iscoroutinefunction(RequestMiddleware(view))
    assert not iscoroutinefunction(RequestMiddleware(lambda request: None))  # type: ignore[arg-type,return-value]


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, int, float]] = []

    @hookimpl
    def prodready_request_finished(self, request: Any, response: Any, duration: float) -> None:
        self.calls.append((request.path, response.status_code, duration))


def test_the_request_finished_hook_is_called(prodready_plugin: Any) -> None:
    recorder = prodready_plugin(Recorder(), name="recorder")
    Client().get("/lessons/5/")
    Client().get("/health/")  # skipped
    [(path, status, duration)] = recorder.calls
    assert (path, status) == ("/lessons/5/", 200)
    assert 0 < duration < 5


def test_an_exception_still_gets_a_line(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    response = Client(raise_request_exception=False).get("/broken/")
    assert response.status_code == 500
    [line] = request_lines(caplog)
    assert (line.route, line.status) == ("broken/", 500)  # type: ignore[attr-defined]
