"""Passkeys in Chromium with its virtual authenticator (the DevTools WebAuthn domain).

A passkey is registered from the 2FA pages, verifies a password sign-in, signs in alone
(no password) and is removed; a copy of it whose signature counter is behind is refused.

WebAuthn needs a domain as its relying party id, never an IP address: these tests open
the live server as ``localhost`` (Chromium resolves it to the loopback interface itself).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import override_settings

from tests.browser.conftest import PASSWORD, log_in, new_context, set_up_2fa, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def origin(live_server: Any) -> str:
    return live_server.url.replace("127.0.0.1", "localhost")


@pytest.fixture
def passkey_page(browser: Any, origin: str, csp_violations: Any) -> Iterator[Any]:
    """A page on ``localhost`` with passkeys on, and a virtual platform authenticator."""
    with override_settings(
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        PRODREADY_OTP_WEBAUTHN_RP_ID="localhost",
        PRODREADY_OTP_WEBAUTHN_ORIGINS=[origin],
        PRODREADY_OTP_PASSKEY_SIGN_IN=True,
    ):
        context = new_context(browser, SimpleNamespace(url=origin), csp_violations)
        page = context.new_page()
        devtools = context.new_cdp_session(page)
        devtools.send("WebAuthn.enable", {"enableUI": False})
        added = devtools.send(
            "WebAuthn.addVirtualAuthenticator",
            {
                "options": {
                    "protocol": "ctap2",
                    "transport": "internal",
                    "hasResidentKey": True,
                    "hasUserVerification": True,
                    "isUserVerified": True,
                    "automaticPresenceSimulation": True,
                }
            },
        )
        page.devtools = devtools
        page.authenticator = added["authenticatorId"]
        yield page
        settle(page)
        context.close()


def credentials(page: Any) -> list[dict[str, Any]]:
    found = page.devtools.send("WebAuthn.getCredentials", {"authenticatorId": page.authenticator})
    return list(found["credentials"])


def add_passkey(page: Any, expect: Any, username: str) -> list[str]:
    """Sign in with a password, turn on 2FA, add a passkey named "Laptop"; the backup codes."""
    log_in(page, username)
    codes = set_up_2fa(page)
    page.goto("/account/2fa/")
    page.get_by_role("link", name="Add a passkey").click()
    page.get_by_label("Name").fill("Laptop")
    page.get_by_role("button", name="Create the passkey").click()
    expect(page.get_by_role("status")).to_have_text("Added “Laptop”.")
    expect(page.locator("table.pr-table tbody tr").filter(has_text="Laptop")).to_contain_text(
        "Passkey"
    )
    return codes


def test_register_verify_sign_in_alone_and_remove(passkey_page, expect, django_user_model):
    page = passkey_page
    django_user_model.objects.create_user("pam", password=PASSWORD, is_staff=True)
    codes = add_passkey(page, expect, "pam")
    [stored] = credentials(page)
    assert stored["isResidentCredential"]
    assert stored["rpId"] == "localhost"

    # Password, then the passkey as the second factor.
    page.get_by_role("button", name="Log out").click()
    log_in(page, "pam", next_url="/account/2fa/")
    expect(page).to_have_url(re.compile(r"/account/2fa/verify/"))
    page.get_by_role("button", name="Use a passkey").click()
    expect(page).to_have_url(re.compile(r"/account/2fa/$"))

    # The passkey alone: staff must use 2FA, and the passkey satisfies it.
    page.get_by_role("button", name="Log out").click()
    page.goto("/accounts/login/?next=/account/2fa/")
    page.get_by_role("link", name="Sign in with a passkey instead").click()
    page.get_by_role("button", name="Use a passkey").click()
    expect(page).to_have_url(re.compile(r"/account/2fa/$"))
    row = page.locator("table.pr-table tbody tr").filter(has_text="Laptop")
    expect(row).not_to_contain_text("never")  # its last use is listed

    # Removed with a current second factor, like any device.
    page.get_by_role("link", name="Remove Laptop").click()
    page.get_by_label("Authentication code").fill(codes[0])
    page.get_by_role("button", name="Remove").click()
    expect(page.get_by_role("status")).to_have_text("Removed “Laptop”.")
    expect(row).to_have_count(0)


def test_a_copy_whose_counter_is_behind_is_refused(passkey_page, expect, django_user_model):
    page = passkey_page
    django_user_model.objects.create_user("cal", password=PASSWORD, is_staff=True)
    add_passkey(page, expect, "cal")
    page.get_by_role("button", name="Log out").click()
    page.goto("/account/2fa/passkey/sign-in/")
    page.get_by_role("button", name="Use a passkey").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    # The same key again, with the counter of an older copy.
    [original] = credentials(page)
    assert original["signCount"] >= 1
    page.devtools.send("WebAuthn.clearCredentials", {"authenticatorId": page.authenticator})
    clone = {**original, "signCount": 0}
    page.devtools.send(
        "WebAuthn.addCredential", {"authenticatorId": page.authenticator, "credential": clone}
    )
    page.goto("/account/2fa/passkey/sign-in/")
    page.get_by_role("button", name="Use a passkey").click()
    expect(page.get_by_role("status")).to_contain_text("use counter went backwards")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
