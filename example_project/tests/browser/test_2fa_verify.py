"""A staff member with 2FA signs in again: a wrong code is refused, the right one gets in."""

import base64
import re
import time

import pytest

from tests.browser.conftest import PASSWORD, log_in, set_up_2fa

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFUSED = "That code is not valid. Codes change every 30 seconds and work only once."


def totp_at(manual_key: str, step: int) -> str:
    """The code an authenticator with this setup key shows during time step ``step``."""
    from django_otp.oath import hotp

    key = re.sub(r"\s", "", manual_key).upper()
    secret = base64.b32decode(key + "=" * (-len(key) % 8))
    return f"{hotp(secret, step, digits=6):06d}"


def test_a_wrong_code_is_refused_then_the_right_one_gets_in(
    page, second_browser, expect, django_user_model
):
    from prodready_security.otp.models import EncryptedTOTPDevice

    user = django_user_model.objects.create_superuser("victor", password=PASSWORD)

    # First browser: enrol, then log out.
    log_in(page, "victor", next_url="/ops/")
    expect(page).to_have_url(re.compile(r"/account/2fa/setup/"))
    manual_key = page.get_by_label("Setup key").inner_text()
    set_up_2fa(page)
    page.get_by_role("link", name="I saved them, continue").click()
    expect(page.get_by_role("heading", name="Operations dashboard", level=1)).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    page.goto("/ops/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))

    # Second browser: the password, then the verify page.
    with second_browser() as again:
        log_in(again, "victor", next_url="/ops/")
        expect(again).to_have_url(re.compile(r"/account/2fa/verify/\?next=%2Fops%2F$"))
        expect(again.get_by_role("heading", name="Verify it is you")).to_be_visible()

        # A code no step in the accepted window (now, one before, one after) would give.
        now = int(time.time()) // 30
        valid = {totp_at(manual_key, step) for step in range(now - 2, now + 3)}
        wrong = next(
            code for code in ("000000", "123456", "999999", "424242") if code not in valid
        )
        code_field = again.get_by_label("Authentication code")
        code_field.fill(wrong)
        with again.expect_response(lambda response: response.request.method == "POST") as sent:
            again.get_by_role("button", name="Verify").click()
        assert sent.value.status == 200  # the form again, no redirect
        expect(again.get_by_role("alert")).to_have_text(REFUSED)
        expect(again).to_have_url(re.compile(r"/account/2fa/verify/\?next=%2Fops%2F$"))
        again.goto("/ops/")  # still not let in
        expect(again).to_have_url(re.compile(r"/account/2fa/verify/"))

        # The right code: the enrolment's step was used once, so the next unused one.
        time.sleep(1.1)  # django-otp throttles after a failure: 1 s after the first
        device = EncryptedTOTPDevice.objects.get(user=user)
        step = max(int(time.time()) // 30, device.last_t + 1)
        again.get_by_label("Authentication code").fill(totp_at(manual_key, step))
        again.get_by_role("button", name="Verify").click()
        expect(again).to_have_url(re.compile(r"/ops/$"))
        expect(again.get_by_role("heading", name="Operations dashboard", level=1)).to_be_visible()
