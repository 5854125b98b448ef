"""Failed logins per minute, counted from Django's signal, as a series for anomaly alerts."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Permission, User
from django.core.cache import caches
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from prodready import hooks
from prodready.anomalies.detect import detect
from prodready_security import failed_logins
from prodready_security.ratelimit import cards

MINUTE = 31_000_000  # far from the real clock


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.mark.django_db
def test_a_failed_login_is_counted_in_its_minute() -> None:
    now = int(time.time() // 60)
    for _ in range(3):
        assert authenticate(username="nobody", password="wrong") is None
    counted = dict(failed_logins.points(now - 1, now + 2))
    # Three failures, unless the minute turned between them.
    assert sum(counted.values()) == 3
    assert counted[now - 1] == 0


def test_a_burst_of_failed_logins_is_an_anomaly(notifications) -> None:
    assert "security.failed_logins" in [series.name for series in hooks.time_series()]
    for minute in range(MINUTE, MINUTE + 63):
        for _ in range(60 if minute >= MINUTE + 60 else minute % 3):  # 0-2, then 60 a minute
            failed_logins.count(now=minute * 60 + 1)
        detect((minute + 1) * 60 + 5)
    (started,) = notifications
    assert started.subject == "Anomaly: Failed logins"
    assert "Failed logins was 60 logins/min" in started.message


def lockouts_card_html() -> tuple[str, str]:
    operator = User.objects.create_user("operator", is_staff=True)
    operator.user_permissions.add(Permission.objects.get(codename="unlock_loginlockout"))
    request = RequestFactory().get("/")
    request.user = User.objects.get(pk=operator.pk)
    [card] = cards.cards(request)
    operator.delete()
    with timezone.override("UTC"):
        return card.status, render_to_string(card.template, card.context)


@pytest.mark.django_db
def test_the_lockouts_card_flags_failed_logins_while_they_are_unusual() -> None:
    for minute in range(MINUTE, MINUTE + 60):
        for _ in range(minute % 3):
            failed_logins.count(now=minute * 60 + 1)
        detect((minute + 1) * 60 + 5)
    status, html = lockouts_card_html()
    assert (status, "unusual since" in html) == ("ok", False)
    for minute in range(MINUTE + 60, MINUTE + 62):
        for _ in range(60):
            failed_logins.count(now=minute * 60 + 1)
        detect((minute + 1) * 60 + 5)
    status, html = lockouts_card_html()
    assert status == "warning"
    # The episode starts at its second anomalous minute, MINUTE + 61: 19:41 UTC.
    assert "Failed logins: unusual since 19:41" in html
