"""Staff with 2FA: add a second app, remove the first, keep the last; trust a browser."""

import base64
import re
import time

import pytest
from django.test import override_settings

from tests.browser.conftest import PASSWORD, log_in, set_up_2fa

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_at(manual_key: str, step: int) -> str:
    from django_otp.oath import hotp

    key = re.sub(r"\s", "", manual_key).upper()
    secret = base64.b32decode(key + "=" * (-len(key) % 8))
    return f"{hotp(secret, step, digits=6):06d}"


def test_several_apps_and_the_last_one_kept(page, expect, django_user_model):
    django_user_model.objects.create_user("tess", password=PASSWORD, is_staff=True)
    log_in(page, "tess")
    first_key = page.get_by_label("Setup key").inner_text()
    set_up_2fa(page)

    # A second app, named, from the overview.
    page.goto("/account/2fa/")
    page.get_by_role("link", name="Add an authenticator app").click()
    second_key = page.get_by_label("Setup key").inner_text()
    assert second_key != first_key
    page.get_by_label("Name").fill("Work phone")
    now = int(time.time()) // 30
    page.get_by_label("Code from your authenticator app").fill(code_at(second_key, now))
    page.get_by_role("button", name="Add the app").click()
    expect(page.get_by_role("status")).to_have_text("Added “Work phone”.")
    rows = page.locator("table.pr-table tbody tr")
    expect(rows).to_have_count(3)  # two apps and the backup codes

    # The first app goes, confirmed with a code from the second.
    page.get_by_role("link", name="Remove Authenticator app").click()
    page.get_by_label("Authentication code").fill(code_at(second_key, now + 1))
    page.get_by_role("button", name="Remove").click()
    expect(page.get_by_role("status")).to_have_text("Removed “Authenticator app”.")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Work phone")

    # The last app of staff, who must use 2FA, stays: the page says what to do instead.
    page.get_by_role("link", name="Remove Work phone").click()
    expect(page.get_by_role("alert")).to_contain_text("Add another authenticator app first")
    expect(page.get_by_role("button", name="Remove")).to_have_count(0)


def test_a_trusted_browser_skips_the_code_until_trust_is_ended(page, expect, django_user_model):
    django_user_model.objects.create_user("theo", password=PASSWORD, is_staff=True)
    with override_settings(PRODREADY_OTP_TRUSTED_BROWSER_DAYS=30):
        log_in(page, "theo")
        codes = set_up_2fa(page)
        page.get_by_role("button", name="Log out").click()

        log_in(page, "theo", next_url="/account/sessions/")
        expect(page).to_have_url(re.compile(r"/account/2fa/verify/"))
        page.get_by_label("Authentication code").fill(codes[0])
        page.get_by_label("Trust this browser for 30 days").check()
        page.get_by_role("button", name="Verify").click()
        expect(page).to_have_url(re.compile(r"/account/sessions/$"))
        page.get_by_role("button", name="Log out").click()

        # Password only, and in.
        log_in(page, "theo", next_url="/account/sessions/")
        expect(page).to_have_url(re.compile(r"/account/sessions/$"))

        # Listed on the sessions page; once ended there, the code is asked again.
        page.goto("/account/sessions/")
        expect(page.get_by_role("heading", name="Trusted browsers")).to_be_visible()
        page.get_by_role("button", name="Stop trusting").click()
        expect(page.get_by_role("heading", name="Trusted browsers")).to_have_count(0)
        page.get_by_role("button", name="Log out").click()
        log_in(page, "theo", next_url="/account/sessions/")
        expect(page).to_have_url(re.compile(r"/account/2fa/verify/"))
