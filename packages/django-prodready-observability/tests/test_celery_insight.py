"""The Celery card, page and task metrics, fed by a real worker (with beat) over Redis."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from celery import Celery
from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings

from prodready._ci import service_address
from prodready.heartbeat import scheduler_status
from prodready_observability.celery_insight import broker, store
from prodready_observability.celery_insight.cards import celery_card
from prodready_observability.celery_insight.overview import CeleryOverview, celery_overview
from prodready_observability.celery_insight.views import celery_page
from prodready_observability.metrics.registry import MULTIPROC_VARIABLE, build_registry
from tests.celery_project import celery_app as worker_project

PACKAGE = Path(__file__).resolve().parents[1]
DATABASE = 15
WORKER_STARTS_WITHIN = 90.0  # a loaded machine is slow to start Django, Celery and beat
COUNTED_WITHIN = 45.0  # worker children write their counts every 5 s
CLIENT: Celery | None = None  # the app PRODREADY_HEALTH_CELERY_APP names, set per test
APP_PATH = f"{__name__}.CLIENT"


@pytest.fixture(autouse=True)
def site(settings: Any) -> None:
    settings.PRODREADY_METRICS_HEALTH = False  # health checks would need the database
    # A cache of this test's own: other tests' tasks are counted in the shared one.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"insight-{uuid.uuid4().hex}",
        }
    }


def redis_url() -> str:
    host, port = service_address("requires_redis")
    return f"redis://{host}:{port}/{DATABASE}"


@pytest.fixture
def shared(settings: Any) -> Iterator[str]:
    """A Redis cache under a fresh prefix, and an app whose queues and control are its own."""
    global CLIENT
    prefix = f"prodready-insight-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url(),
            "KEY_PREFIX": prefix,
        }
    }
    settings.PRODREADY_HEALTH_CELERY_APP = APP_PATH
    CLIENT = Celery("insight_client", set_as_current=False)
    CLIENT.conf.update(
        broker_url=redis_url(),
        broker_connection_retry_on_startup=False,
        task_default_queue=prefix,
        control_exchange=prefix,
        task_routes={"insight.idle": {"queue": f"{prefix}-idle"}},
    )
    broker.forget()
    yield prefix
    broker.forget()
    store.recorder.flush()
    CLIENT.close()
    CLIENT = None
    caches["default"].close()
    with redis.Redis.from_url(redis_url()) as client:
        keys = {key for pattern in (f"*{prefix}*",) for key in client.scan_iter(pattern)}
        if keys:
            client.delete(*keys)


@pytest.fixture
def worker(shared: str, tmp_path: Path) -> Iterator[Path]:
    """``celery worker -B`` (two prefork children, beat inside) of tests/celery_project."""
    metrics = tmp_path / "metrics"
    metrics.mkdir()
    log = tmp_path / "worker.log"
    env = os.environ | {
        "INSIGHT_TEST_REDIS_URL": redis_url(),
        "INSIGHT_TEST_PREFIX": shared,
        MULTIPROC_VARIABLE: str(metrics),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the app module sets its own
    command = [sys.executable, "-m", "celery", "-A", "tests.celery_project.celery_app"]
    command += ["worker", "-B", "-P", "prefork", "-c", "2", "-l", "INFO"]
    command += ["-s", str(tmp_path / "celerybeat-schedule"), "--without-gossip"]
    command += ["--without-mingle", "-n", f"{shared}@%h"]
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=PACKAGE, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + WORKER_STARTS_WITHIN
        while True:
            assert process.poll() is None, f"the worker exited:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"no worker answered:\n{log.read_text()}"
            broker.forget()
            view = celery_overview().broker
            if view is not None and view.workers:
                break
        yield metrics
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def figures(overview: CeleryOverview) -> dict[str, tuple[int, int, int]]:
    assert overview.tasks is not None
    return {t.name: (t.succeeded, t.failed, t.retried) for t in overview.tasks.tasks}


def card_html() -> str:
    card = celery_card()
    assert card is not None
    return render_to_string(card.template, {**card.context, "card": card})


@pytest.mark.requires_redis
def test_a_real_worker_and_beat_fill_the_card_page_and_metrics(
    worker: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert CLIENT is not None
    for _ in range(3):
        CLIENT.send_task("insight.ok")
    CLIENT.send_task("insight.fail")
    CLIENT.send_task("insight.flaky")

    expected = {"insight.ok": (3, 0, 0), "insight.fail": (0, 1, 0), "insight.flaky": (1, 0, 1)}
    deadline = time.monotonic() + COUNTED_WITHIN
    while True:
        overview = celery_overview()
        counted = figures(overview)
        if all(counted.get(name) == value for name, value in expected.items()):
            break
        assert time.monotonic() < deadline, counted
        time.sleep(0.5)

    assert overview.broker is not None
    assert len(overview.broker.workers) == 1
    assert overview.broker.workers[0].startswith("prodready-insight-")
    assert overview.status == "warning"  # a task failed in the last hour
    assert overview.tasks is not None
    # Every task the worker ran counts, beat's included: the log names any other failure.
    worker_log = (tmp_path / "worker.log").read_text()
    assert overview.tasks.failed == 1, f"{figures(overview)}\n{worker_log}"
    (failing,) = overview.tasks.failing
    assert failing.latest_error is not None
    assert failing.latest_error.startswith("RuntimeError: charging failed via postgresql://")
    assert "pw-Insight42" not in failing.latest_error  # scrubbed before it was kept

    # Beat ran inside the worker: its heartbeat was published and run.
    assert scheduler_status().running
    (heartbeat_run,) = [run for run in overview.periodic if run.task == "prodready.heartbeat"]
    assert heartbeat_run.last_run is not None
    assert heartbeat_run.outcome == "success"
    assert heartbeat_run.late is False

    html = card_html()
    assert "1 worker answering" in html
    assert "insight.fail</code>: 1 failure" in html
    assert "pw-Insight42" not in html

    # The worker children's metrics, read as /metrics reads a multi-process directory.
    monkeypatch.setenv(MULTIPROC_VARIABLE, str(worker))
    registry = build_registry()

    def sample(name: str, **labels: str) -> float | None:
        return registry.get_sample_value(name, labels)

    assert sample("prodready_celery_tasks_total", task="insight.ok", outcome="success") == 3
    assert sample("prodready_celery_tasks_total", task="insight.fail", outcome="failure") == 1
    assert sample("prodready_celery_tasks_total", task="insight.flaky", outcome="retry") == 1
    assert sample("prodready_celery_tasks_total", task="insight.flaky", outcome="success") == 1
    assert sample("prodready_celery_task_duration_seconds_count", task="insight.ok") == 3


@pytest.mark.requires_redis
def test_without_a_worker_the_card_says_so_and_shows_the_waiting_tasks(shared: str) -> None:
    assert CLIENT is not None
    for _ in range(2):
        CLIENT.send_task("insight.idle")
    overview = celery_overview()
    assert overview.broker is not None
    assert overview.broker.workers == ()
    assert dict(overview.broker.queues) == {shared: 0, f"{shared}-idle": 2}
    assert overview.status == "error"
    html = card_html()
    assert "No worker answered within 1 s." in html
    assert f'<code>{shared}-idle</code></td><td class="pr-num">2</td>' in html


def test_an_unreachable_broker_is_named_without_its_address(settings: Any) -> None:
    global CLIENT
    settings.PRODREADY_HEALTH_CELERY_APP = APP_PATH
    CLIENT = Celery("insight_unreachable", set_as_current=False)
    CLIENT.conf.update(broker_url="redis://:hunter2-Broker@127.0.0.1:9/0")  # nothing listens
    broker.forget()
    try:
        overview = celery_overview()
    finally:
        broker.forget()
        CLIENT = None
    assert overview.broker is not None
    assert overview.broker.problem == (
        "The broker could not be reached (OperationalError); see the server log."
    )
    assert "hunter2" not in card_html()


@pytest.mark.parametrize(
    ("changed", "shown"),
    [
        ({}, "No Celery app configured: set <code>PRODREADY_HEALTH_CELERY_APP</code>"),
        (
            {"PRODREADY_HEALTH_CELERY_APP": "tests.no_such_module.app"},
            "PRODREADY_HEALTH_CELERY_APP = &#x27;tests.no_such_module.app&#x27; cannot be "
            "imported",
        ),
        (
            {"PRODREADY_HEALTH_CELERY_APP": "tests.celery_project.celery_app.FAILURE"},
            "is a str, not a Celery app",
        ),
        ({"PRODREADY_ANALYTICS_CACHE": None}, "Task counts are off"),
        ({}, "No task finished in the last hour."),
    ],
)
def test_empty_states_say_what_turns_the_card_on(changed: dict[str, Any], shown: str) -> None:
    with override_settings(**changed):
        assert shown in card_html()


def test_tasks_run_eagerly_have_no_workers_to_show(settings: Any) -> None:
    global CLIENT
    settings.PRODREADY_HEALTH_CELERY_APP = APP_PATH
    CLIENT = Celery("insight_eager", set_as_current=False)
    CLIENT.conf.update(task_always_eager=True)
    try:
        html = card_html()
    finally:
        CLIENT = None
    assert "Tasks run in the web process" in html


def test_task_names_beyond_the_maximum_count_as_other(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.PRODREADY_METRICS_MAX_TASK_NAMES = 2
    monkeypatch.setattr(store, "recorder", store.TaskRecorder())
    app = Celery("insight_bounded", broker="memory://", set_as_current=False)
    app.conf.update(task_always_eager=True, task_store_eager_result=False)
    names = [f"bounded.task{number}" for number in range(4)]
    for name in names:
        app.task(name=name)(worker_project.succeed.run)
        app.tasks[name].apply()
    registry = build_registry()

    def succeeded(task: str) -> float | None:
        labels = {"task": task, "outcome": "success"}
        return registry.get_sample_value("prodready_celery_tasks_total", labels)

    assert [succeeded(name) for name in names] == [1, 1, None, None]
    assert (succeeded(store.OTHER) or 0) >= 2
    assert (
        {task.name for task in celery_overview().tasks.tasks}
        == {  # type: ignore[union-attr]
            *names[:2],
            store.OTHER,
        }
    )


def test_an_unusable_cache_setting_is_logged_and_the_timer_starts_again(
    settings: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(store, "FLUSH_SECONDS", 0.01)
    counts = store.TaskRecorder()
    settings.PRODREADY_ANALYTICS_CACHE = 3  # not a cache alias
    with caplog.at_level(logging.ERROR, logger=store.__name__):
        counts.record("insight.ok", "success", 0.01)
        deadline = time.monotonic() + 10
        while not caplog.records and time.monotonic() < deadline:
            time.sleep(0.01)
    assert [record.getMessage() for record in caplog.records] == [
        "Celery task counts could not be flushed"
    ]
    assert counts._timer is None  # the next task's counts start another timer

    settings.PRODREADY_ANALYTICS_CACHE = "default"
    now = 1_900_000_000.0  # a fixed minute: the key read back is the one written
    counts.record("insight.ok", "success", 0.01, now=now)  # flushed now or by a new timer
    written = store.key(int(now // 60), "t:insight.ok:success")
    deadline = time.monotonic() + 10
    while caches["default"].get(written) is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert caches["default"].get(written) == 1


def test_the_celery_page_is_for_staff_only() -> None:
    factory = RequestFactory()
    request = factory.get("/ops/celery/")
    request.user = AnonymousUser()
    assert celery_page(request).status_code == 302
    request.user = User(username="tutor", is_active=True)
    with pytest.raises(PermissionDenied):
        celery_page(request)
    request.user = User(username="admin", is_active=True, is_staff=True)
    response = celery_page(request)
    assert response.status_code == 200
    assert b"No Celery app configured" in response.content
