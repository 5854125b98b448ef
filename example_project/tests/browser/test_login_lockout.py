"""Guessing a password: five failures lock the username out at that address, even for the
right password."""

import re

import pytest

from tests.browser.conftest import PASSWORD, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WRONG = "Please enter a correct username and password"


def test_five_wrong_passwords_lock_the_username_out(page, expect, django_user_model):
    django_user_model.objects.create_user("sam", password=PASSWORD)
    django_user_model.objects.create_user("nina", password=PASSWORD)

    # PRODREADY_RATELIMIT_LOGIN_COMBINATION_RATE defaults to 5 failures in 15 minutes.
    for _attempt in range(5):
        answer = log_in(page, "sam", "not-the-password")
        assert answer.status == 200
        expect(page.get_by_text(WRONG)).to_be_visible()

    # Locked: the right password is refused too, with 429 and a page that says why.
    answer = log_in(page, "sam", PASSWORD)
    assert answer.status == 429
    assert 55 <= int(answer.headers["retry-after"]) <= 60  # 60 s, less the time to get here
    expect(page.get_by_role("heading", name="Too many requests")).to_be_visible()
    detail = re.compile(r"Too many failed logins\. Try again in \d+ seconds\.")
    expect(page.get_by_text(detail)).to_be_visible()
    page.goto("/school/lessons/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))

    # The lockout is the username's at this address: someone else here still logs in.
    answer = log_in(page, "nina", PASSWORD)
    assert answer.status == 302
    expect(page.get_by_text("nina", exact=True)).to_be_visible()
