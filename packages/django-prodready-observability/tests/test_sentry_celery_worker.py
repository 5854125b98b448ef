"""A task failing in a real Celery worker, with Redis as the broker, leaks no secret.

The eager run in test_sentry_secrets covers the task's arguments; this one adds
what only a worker does: the task is sent through Redis, runs in the worker's own
thread and scope, and its Redis commands become breadcrumbs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import pytest
import redis
from celery import Celery, signals

from prodready._ci import service_address
from tests import sentry_app
from tests.sentry_capture import captured_sentry

REDIS_VALUE_SECRET = "redisvalue-Cc43"
DATABASE = 15
# Names of this test's own, so that other suites sharing the Redis server are not disturbed.
QUEUE = "prodready-observability-sentry-tests"
CARD_KEY = "prodready-observability-sentry-tests:last-card-token"


def redis_url() -> str:
    host, port = service_address("requires_redis")
    return f"redis://{host}:{port}/{DATABASE}"


def charge_in_worker(order: str, gateway: str, note: str, api_key: str) -> None:
    with redis.Redis.from_url(redis_url()) as client:
        client.set(CARD_KEY, REDIS_VALUE_SECRET)
    sentry_app.charge(order, gateway, note, api_key)


@pytest.fixture
def worker_app() -> Iterator[Celery]:
    app = Celery("prodready_observability_worker_tests", set_as_current=False)
    app.conf.update(
        broker_url=redis_url(),
        broker_connection_retry_on_startup=False,
        task_default_queue=QUEUE,
    )
    app.task(name="shop.charge_in_worker")(charge_in_worker)
    # The worker sets up logging for the whole process; give the next tests theirs back.
    root = logging.getLogger()
    level, handlers = root.level, root.handlers[:]
    yield app
    root.setLevel(level)
    root.handlers[:] = handlers
    with redis.Redis.from_url(redis_url()) as client:
        client.delete(CARD_KEY, QUEUE)


@pytest.mark.requires_redis
def test_a_failing_task_in_a_worker_sends_no_secret(worker_app: Celery) -> None:
    args, kwargs = sentry_app.task_arguments()
    finished = threading.Event()

    def task_finished(**kwargs: object) -> None:  # after prodready's own task_postrun line
        finished.set()

    signals.task_postrun.connect(task_finished, weak=False)
    with captured_sentry() as transport:
        # Imported only now, as `celery worker` does: its consumer module binds the task
        # tracer when first imported, which must be after Sentry's Celery integration
        # has wrapped it (in a worker, Django's setup initialises Sentry before that).
        from celery.contrib.testing.worker import start_worker

        with start_worker(worker_app, perform_ping_check=False):
            worker_app.send_task("shop.charge_in_worker", args=args, kwargs=kwargs)
            event = transport.wait_for_event()
            assert finished.wait(10), "the task did not finish"
            events = transport.events()
            sent = transport.serialised()
    signals.task_postrun.disconnect(task_finished)

    assert len(events) == 1, "one failure, one Sentry issue"

    assert event["exception"]["values"][-1]["value"].startswith(sentry_app.ORDER_ERROR)
    assert event["extra"]["celery-job"]["task_name"] == "shop.charge_in_worker"
    assert any(crumb.get("category") == "redis" for crumb in event["breadcrumbs"]["values"])
    for secret in [*sentry_app.TASK_SECRETS.values(), REDIS_VALUE_SECRET]:
        assert secret.encode() not in sent, secret
    assert b"ORD-1042" in sent
