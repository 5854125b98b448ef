"""Signed in from two browsers: one ends the other's session from "Your sessions"."""

import re

import pytest

from tests.browser.conftest import log_in, make_student

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_signing_out_another_session_from_the_sessions_page(
    page, second_browser, expect, django_user_model
):
    # A student: no 2FA in the way, and the sessions page is every signed-in user's.
    make_student(django_user_model, "stella")

    with second_browser() as other:
        assert log_in(other, "stella", next_url="/account/sessions/").status == 302
        expect(other.get_by_role("heading", name="Your sessions", level=1)).to_be_visible()
        assert log_in(page, "stella").status == 302

        response = page.goto("/account/sessions/")
        assert response.status == 200
        expect(page.get_by_role("heading", name="Your sessions", level=1)).to_be_visible()
        rows = page.locator("table.pr-table tbody tr")
        expect(rows).to_have_count(2)
        this_device = rows.filter(has_text="This device")
        expect(this_device).to_have_count(1)
        expect(this_device.get_by_role("button", name="Sign out")).to_have_count(0)

        # The other browser's row has the button; the current one never does.
        other_row = rows.filter(has_not_text="This device")
        other_row.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("status")).to_have_text("Signed out 1 session.")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("This device")

        # The other browser is signed out at its next request; this one is not.
        other.reload()
        expect(other).to_have_url(re.compile(r"/accounts/login/\?next=/account/sessions/$"))
        expect(other.get_by_label("Username")).to_be_visible()
        assert page.goto("/account/sessions/").status == 200
