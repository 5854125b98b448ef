"""The idle-timeout warning: the seconds a page is told, and "Stay signed in"."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import Client, RequestFactory, override_settings

from prodready_security.sessions.tracking import SEEN
from tests.sessions_support import make_user, signed_in, with_activity_middleware

pytestmark = [pytest.mark.urls("tests.sessions_support"), pytest.mark.django_db]

KEEP_ALIVE = "/account/sessions/keep-alive/"


@pytest.fixture(autouse=True)
def idle_timeout() -> Iterator[None]:
    with override_settings(
        MIDDLEWARE=with_activity_middleware(), PRODREADY_SESSIONS_IDLE_TIMEOUT=600
    ):
        yield


def age_session(client: Client, seconds: float) -> None:
    session = client.session
    session[SEEN] = time.time() - seconds
    session.save()


def rendered(client: Client) -> str:
    request = client.get("/private/").wsgi_request
    return Template("{% load prodready_security %}{% idle_warning %}").render(
        Context({"request": request})
    )


def remaining(html: str) -> int:
    match = re.search(r'data-remaining="(\d+)"', html)
    assert match, html
    return int(match.group(1))


def test_the_page_is_told_the_seconds_left_and_when_to_warn() -> None:
    client = signed_in(make_user("ada"))
    age_session(client, 30)  # under a minute: this request does not record activity
    html = rendered(client)
    assert 565 <= remaining(html) <= 570
    assert 'data-warning="120"' in html
    assert "prodready_security/js/idle.js" in html
    assert "<script>" not in html


def test_stay_signed_in_starts_the_timeout_again() -> None:
    client = signed_in(make_user("ada"))
    age_session(client, 550)
    response = client.post(KEEP_ALIVE)
    assert response.status_code == 200
    assert response.json()["remaining"] >= 599
    assert remaining(rendered(client)) >= 590


def test_an_ended_session_is_not_revived() -> None:
    client = signed_in(make_user("ada"))
    age_session(client, 601)
    response = client.post(KEEP_ALIVE)
    assert response.status_code == 401
    assert response.json() == {"ended": True}
    assert client.get("/private/").status_code == 302


def test_keep_alive_takes_only_posts_with_a_csrf_token() -> None:
    client = signed_in(make_user("ada"))
    assert client.get(KEEP_ALIVE).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    assert strict.post(KEEP_ALIVE).status_code == 403


@pytest.mark.parametrize(
    "overrides",
    [{"PRODREADY_SESSIONS_IDLE_TIMEOUT": None}, {"PRODREADY_SESSIONS_IDLE_WARNING": 0}],
)
def test_nothing_is_shown_without_a_timeout_or_a_warning(overrides: dict[str, Any]) -> None:
    client = signed_in(make_user("ada"))
    with override_settings(**overrides):
        assert rendered(client).strip() == ""


def test_nothing_is_shown_to_visitors() -> None:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    html = Template("{% load prodready_security %}{% idle_warning %}").render(
        Context({"request": request})
    )
    assert html.strip() == ""
