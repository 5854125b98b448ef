"""Guessing a password: five failures lock the username out at that address, even for the
right password."""

import re

import pytest

from tests.browser.conftest import PASSWORD, log_in, set_up_2fa

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


def test_staff_see_the_lockout_and_end_it(page, expect, django_user_model, second_browser):
    from django.contrib.auth.models import Permission

    django_user_model.objects.create_user("sam", password=PASSWORD)
    operator = django_user_model.objects.create_user("olga", password=PASSWORD, is_staff=True)
    operator.user_permissions.add(Permission.objects.get(codename="unlock_loginlockout"))
    for _attempt in range(5):
        log_in(page, "sam", "not-the-password")
    assert log_in(page, "sam", PASSWORD).status == 429

    with second_browser() as staff:
        log_in(staff, "olga")
        set_up_2fa(staff)
        staff.goto("/security/lockouts/")
        row = staff.get_by_role("row").filter(has_text="sam")
        expect(row).to_contain_text("locked at this address (#1)")
        row.get_by_role("button", name="Unlock").click()
        expect(staff.get_by_role("status")).to_have_text("Ended 1 lockout.")
        expect(staff.get_by_text("No sign-in is locked out or slowed.")).to_be_visible()

    # Unlocked: the right password works again from the address that was locked.
    assert log_in(page, "sam", PASSWORD).status == 302
