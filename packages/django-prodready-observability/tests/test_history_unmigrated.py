"""An unmigrated history database: one clear warning, a failing health check and a 503
page naming the fix; never a traceback per flush, never an error on a request."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from prodready import HealthCheckError
from prodready_observability.history import buffer
from prodready_observability.history.cards import history_cards
from prodready_observability.history.health import HistoryCheck
from prodready_observability.history.maintenance import maintain
from tests.history_support import ON_POSTGRES_SITE

pytestmark = ON_POSTGRES_SITE


@pytest.fixture
def unmigrated() -> Iterator[None]:
    call_command("migrate", "prodready_observability", "zero", database="postgres", verbosity=0)
    try:
        yield
    finally:
        call_command("migrate", "prodready_observability", database="postgres", verbosity=0)


def history_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "prodready.history"]


def test_flushes_warn_once_and_health_says_what_to_do(
    unmigrated: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for _ in range(3):
        assert Client().get("/lessons/1/").status_code == 200  # the request never notices
        assert maintain(prune=True) is False
    [warning] = history_records(caplog)
    assert warning.levelno == logging.WARNING
    assert warning.exc_info is None  # no traceback
    assert "manage.py migrate prodready_observability" in warning.getMessage()
    with pytest.raises(
        HealthCheckError, match=r"run `manage\.py migrate prodready_observability`"
    ):
        HistoryCheck().check()
    assert not buffer.take()  # dropped, not piling up


def test_pages_and_cards_say_what_to_do(unmigrated: None) -> None:
    client = Client()
    client.force_login(User.objects.create_user("staff", password="x", is_staff=True))
    response = client.get("/ops/history/slow-queries/")
    assert response.status_code == 503
    assert "run manage.py migrate prodready_observability" in response.content.decode()
    cards = [card for card in history_cards() if "24 hours" in card.title]
    assert cards
    assert {card.status for card in cards} == {"error"}


def test_it_recovers_once_migrated(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    call_command("migrate", "prodready_observability", "zero", database="postgres", verbosity=0)
    try:
        buffer.add_request(0, "r/", 200, 0.001, 0, None, 50)
        assert maintain() is False
    finally:
        call_command("migrate", "prodready_observability", database="postgres", verbosity=0)
    buffer.add_request(0, "r/", 200, 0.001, 0, None, 50)
    assert maintain() is True
    assert HistoryCheck().check() == "the request history is written"
    levels = [record.levelname for record in history_records(caplog)]
    assert levels == ["WARNING", "INFO"]
