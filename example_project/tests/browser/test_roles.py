"""A student signs in and is kept out of the staff pages, by the server."""

import re

import pytest

from tests.browser.conftest import log_in, make_student

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAFF_PAGES = ["/ops/", "/school/invoices/", "/school/reports/"]


def test_a_student_gets_403_on_the_staff_pages(page, expect, django_user_model):
    make_student(django_user_model, "stella")

    answer = log_in(page, "stella")
    assert answer.status == 302  # signed in, no 2FA asked of a student
    expect(page.get_by_text("stella", exact=True)).to_be_visible()

    # Signed in without the role: 403 where the page is, not a detour to the login page.
    for url in STAFF_PAGES:
        response = page.goto(url)
        assert response.status == 403, (url, response.status)
        assert page.url.endswith(url)
        expect(page.get_by_role("heading", name="Operations dashboard")).to_have_count(0)

    # The audit log needs staff and the view permission: refused the same way.
    response = page.goto("/security/audit/")
    assert response.status == 403
    assert "/accounts/login/" not in page.url
    expect(page.get_by_role("heading", name=re.compile("audit", re.I), level=1)).to_have_count(0)

    # Still signed in: the student's own session page works.
    response = page.goto("/account/sessions/")
    assert response.status == 200
    expect(page.get_by_role("heading", name="Your sessions", level=1)).to_be_visible()
