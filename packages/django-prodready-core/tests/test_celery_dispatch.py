"""prodready.celery_dispatch: queue through Celery only with a broker, or eagerly."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from celery import Celery

from prodready.celery_dispatch import broker_configured


@pytest.fixture
def app() -> Iterator[Celery]:
    app = Celery("tests-dispatch", set_as_current=True)
    yield app
    Celery("idle", set_as_current=True)  # no broker again for the other tests


def test_no_broker_means_in_process(app: Celery) -> None:
    assert not broker_configured()


def test_a_broker_queues(app: Celery) -> None:
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    assert broker_configured()


def test_eager_tasks_count_as_queued(app: Celery) -> None:
    app.conf.task_always_eager = True
    assert broker_configured()


def test_without_celery_installed_the_work_runs_in_process(
    app: Celery, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    monkeypatch.setitem(sys.modules, "celery", None)  # its import fails
    assert not broker_configured()
