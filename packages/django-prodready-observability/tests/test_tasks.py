"""Celery: a task started during a request logs with that request's id, and is counted."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from celery import Celery
from django.test import override_settings

from prodready._ci import service_address
from prodready_observability import context
from prodready_observability.logging import configure_logging
from prodready_observability.metrics.registry import build_registry
from prodready_observability.tasks import logging_is_ours
from tests.conftest import restored_logging

DATABASE = 15
QUEUE = "prodready-observability-task-tests"
seen: list[tuple[str | None, str | None]] = []


def remember() -> None:
    seen.append((context.current_request_id(), context.current_user_id()))
    logging.getLogger("tests.tasks").info("task body")


def explode() -> None:
    raise ValueError("the task failed")


def count(task: str, outcome: str) -> float:
    value = build_registry().get_sample_value(
        "prodready_celery_tasks_total", {"task": task, "outcome": outcome}
    )
    return value or 0.0


def redis_url() -> str:
    host, port = service_address("requires_redis")
    return f"redis://{host}:{port}/{DATABASE}"


@pytest.fixture
def app() -> Iterator[Celery]:
    app = Celery("prodready_observability_task_tests", set_as_current=False)
    app.conf.update(
        broker_url=redis_url(),
        broker_connection_retry_on_startup=False,
        task_default_queue=QUEUE,
    )
    app.task(name="tests.remember")(remember)
    app.task(name="tests.explode")(explode)
    seen.clear()
    root = logging.getLogger()
    level, handlers = root.level, root.handlers[:]
    yield app
    root.setLevel(level)
    root.handlers[:] = handlers


def test_an_eager_task_keeps_the_requests_id(
    app: Celery, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    before = count("tests.remember", "success")
    tokens = context.bind("request-in-progress", None, "42")
    try:
        app.tasks["tests.remember"].apply()
        assert context.current_request_id() == "request-in-progress"  # restored after the task
    finally:
        context.unbind(tokens)
    assert seen == [("request-in-progress", "42")]
    line = next(record for record in caplog.records if record.name == "prodready.tasks")
    assert (line.task, line.outcome, line.retries) == ("tests.remember", "success", 0)  # type: ignore[attr-defined]
    assert line.duration_ms >= 0  # type: ignore[attr-defined]
    assert count("tests.remember", "success") - before == 1


def test_a_task_outside_a_request_gets_its_own_id(app: Celery) -> None:
    result = app.tasks["tests.remember"].apply()
    assert seen == [(result.id, None)]
    assert context.current_request_id() is None


def test_a_failure_is_logged_and_counted(app: Celery, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    before = count("tests.explode", "failure")
    app.tasks["tests.explode"].apply()
    line = next(record for record in caplog.records if record.name == "prodready.tasks")
    assert (line.levelno, line.outcome) == (logging.ERROR, "failure")  # type: ignore[attr-defined]
    assert count("tests.explode", "failure") - before == 1


@pytest.mark.requires_redis
def test_the_request_id_travels_to_a_worker(app: Celery) -> None:
    from celery.contrib.testing.worker import start_worker

    with start_worker(app, perform_ping_check=False):
        tokens = context.bind("sent-from-a-request", None, "7")
        try:
            app.send_task("tests.remember")
        finally:
            context.unbind(tokens)
        deadline = time.monotonic() + 20
        while not seen and time.monotonic() < deadline:
            time.sleep(0.05)
    assert seen == [("sent-from-a-request", "7")]
    with redis.Redis.from_url(redis_url()) as client:
        client.delete(QUEUE)


def test_handlers_are_connected_when_celery_is_installed() -> None:
    from celery import signals

    from prodready_observability import tasks

    assert tasks.connect_celery_signals()
    assert signals.task_prerun.has_listeners()
    receivers = [
        r for r in signals.before_task_publish.receivers if r[0][0] == "prodready_observability"
    ]
    assert len(receivers) == 1  # connecting twice does not log twice


def test_publishing_without_a_request_adds_no_header() -> None:
    from prodready_observability.tasks import HEADER, before_task_publish

    headers: dict[str, Any] = {}
    before_task_publish(headers=headers)
    assert HEADER not in headers


@pytest.mark.parametrize(
    ("logging_setting", "ours"),
    [
        (configure_logging(), True),
        (configure_logging(json=False), True),
        ({"version": 1, "formatters": {"plain": {"format": "%(message)s"}}}, False),
        (None, False),
    ],
)
def test_celery_keeps_the_logging_only_when_it_is_ours(
    logging_setting: dict[str, object] | None, ours: bool
) -> None:
    with restored_logging(), override_settings(LOGGING=logging_setting):
        assert logging_is_ours() is ours
