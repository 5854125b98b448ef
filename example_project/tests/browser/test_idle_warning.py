"""The idle-timeout warning: shown before the session ends, "Stay signed in" extends it,
and the end is announced with a way to sign in again; under the production CSP.

Playwright's clock moves the page's time forward, so the test does not wait a minute.
"""

from __future__ import annotations

import re
import time
from importlib import import_module
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings

from prodready_security.sessions.tracking import SEEN
from tests.browser.conftest import log_in, make_student

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def age_session(page: Any, seconds: float) -> None:
    """Make the server's session of ``page`` look idle for ``seconds``."""
    [cookie] = [c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME]
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=cookie["value"])
    session[SEEN] = time.time() - seconds
    session.save()


@override_settings(PRODREADY_SESSIONS_IDLE_TIMEOUT=60, PRODREADY_SESSIONS_IDLE_WARNING=55)
def test_the_warning_counts_down_extends_and_ends(page, expect, django_user_model):
    make_student(django_user_model, "ivy")
    page.clock.install()
    log_in(page, "ivy")
    page.goto("/")
    warning = page.get_by_role("alertdialog")
    expect(warning).to_have_count(0)

    page.clock.fast_forward(10_000)
    expect(warning).to_contain_text(re.compile(r"signed out in 0:(4\d|5\d)"))
    expect(page.get_by_role("button", name="Stay signed in")).to_be_focused()

    age_session(page, 40)  # the server sees the same idleness the page counts
    with page.expect_response(re.compile(r"/account/sessions/keep-alive/$")) as answer:
        page.get_by_role("button", name="Stay signed in").click()
    assert answer.value.status == 200
    assert answer.value.json()["remaining"] >= 59
    expect(warning).to_have_count(0)

    page.clock.fast_forward(61_000)
    expect(warning).to_contain_text("You were signed out because you were inactive.")
    link = warning.get_by_role("link", name="Sign in again")
    expect(link).to_have_attribute("href", "/accounts/login/?next=/")
