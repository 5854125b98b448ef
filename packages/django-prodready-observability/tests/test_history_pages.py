"""The history's staff pages and dashboard cards: permissions, ranges, empty states."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings

from prodready_observability.history import buffer
from prodready_observability.history.cards import history_cards
from prodready_observability.history.maintenance import maintain
from prodready_observability.history.ranges import parse_range
from tests.history_support import ON_POSTGRES_SITE

pytestmark = ON_POSTGRES_SITE

PAGES = ["/ops/history/slow-requests/", "/ops/history/slow-queries/", "/ops/history/exceptions/"]


def signed_in(staff: bool) -> Client:
    user = User.objects.create_user("someone", password="x", is_staff=staff)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(page: str) -> None:
    with override_settings(LOGIN_URL="/login/"):
        response = Client().get(page)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("page", PAGES)
def test_users_who_are_not_staff_get_403(page: str) -> None:
    assert signed_in(staff=False).get(page).status_code == 403


@pytest.mark.parametrize(
    ("page", "empty"),
    [
        (PAGES[0], "Each request that takes longer than 1000.0 ms"),
        (PAGES[1], "Each database query that takes longer than PRODREADY_ANALYTICS_SLOW_QUERY_MS"),
        (PAGES[2], "Each exception a view raises will appear here"),
    ],
)
def test_empty_states_say_what_will_appear_and_what_turns_it_on(page: str, empty: str) -> None:
    client = signed_in(staff=True)
    text = client.get(page).content.decode()
    assert empty in text
    assert "PRODREADY_ANALYTICS_HISTORY = True" not in text  # it is on
    with override_settings(PRODREADY_ANALYTICS_HISTORY=False):
        assert "PRODREADY_ANALYTICS_HISTORY = True" in client.get(page).content.decode()


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1h", "1h"), ("6h", "6h"), ("24h", "24h"), ("7d", "7d"), (None, "24h"), ("2y", "24h")],
)
def test_ranges(value: str | None, expected: str) -> None:
    assert parse_range(value)[0] == expected


@override_settings(PRODREADY_ANALYTICS_SLOW_REQUEST_MS=20)
def test_a_slow_request_shows_on_its_page_and_card_within_range() -> None:
    client = signed_in(staff=True)
    client.get("/slow/")
    maintain()
    for value in ("1h", "7d", "nonsense"):
        text = client.get(PAGES[0], {"range": value}).content.decode()
        assert "<code>slow/</code>" in text
    cards = {card.title: card for card in history_cards()}
    assert [row.route for row in cards["Slow requests, last 24 hours"].context["rows"]] == [
        "slow/"
    ]
    assert cards["Slow requests, last 24 hours"].url == PAGES[0]


def test_no_cards_while_the_history_is_off() -> None:
    with override_settings(PRODREADY_ANALYTICS_HISTORY=False):
        titles = [card.title for card in history_cards()]
    assert not [title for title in titles if "last 24 hours" in title]
    buffer.take()
