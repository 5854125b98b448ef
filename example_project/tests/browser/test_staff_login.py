"""A staff member's first login: 2FA set up in the browser, then the operations dashboard."""

import re

import pytest

from tests.browser.conftest import PASSWORD, log_in, set_up_2fa

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DASHBOARD_CARDS = ["Health", "School today", "Backups", "Audit log", "Requests, last hour"]


def test_first_staff_login_sets_up_2fa_then_opens_the_dashboard(page, expect, django_user_model):
    django_user_model.objects.create_superuser("olivia", password=PASSWORD)

    log_in(page, "olivia", next_url="/ops/")

    # Staff must set up a second factor before any page, the dashboard included.
    expect(page).to_have_url(re.compile(r"/account/2fa/setup/\?next=%2Fops%2F$"))
    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    expect(page.get_by_text("Your account must use a second factor")).to_be_visible()
    qr_code = page.locator(".pr-otp-steps svg")
    expect(qr_code).to_be_visible()
    expect(qr_code.locator("title")).to_have_text("QR code for your authenticator app")
    assert qr_code.bounding_box()["width"] >= 100  # scannable, not a speck
    expect(page.get_by_label("Setup key")).to_have_text(
        re.compile(r"^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$")
    )

    codes = set_up_2fa(page)

    expect(page.get_by_role("status")).to_have_text("Two-factor authentication is on.")
    expect(page.get_by_text("they are shown only this once")).to_be_visible()
    assert len(codes) == 10
    assert len(set(codes)) == 10

    page.get_by_role("link", name="I saved them, continue").click()

    expect(page).to_have_url(re.compile(r"/ops/$"))
    expect(page.get_by_role("heading", name="Operations dashboard", level=1)).to_be_visible()
    for title in DASHBOARD_CARDS:
        expect(page.get_by_role("heading", name=title, exact=True, level=2)).to_be_visible()

    # Shown once: the 2FA settings count the backup codes but never show them again.
    page.goto("/account/2fa/")
    expect(page.get_by_text("10 unused backup codes left.")).to_be_visible()
    assert not any(code in page.content() for code in codes)
