"""The header's language switcher: Polish from the login page through the packages' pages."""

import re

import pytest

from tests.browser.conftest import PASSWORD, totp_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_switching_to_polish_carries_through_2fa_and_the_dashboard(
    page, expect, django_user_model
):
    django_user_model.objects.create_superuser("zofia", password=PASSWORD)

    page.goto("/accounts/login/?next=/ops/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Language").select_option("pl")
    page.get_by_role("button", name="Change").click()

    # Back on the same page (set_language's "next"), now in Polish.
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/ops/$"))
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(page.get_by_role("heading", name="Zaloguj się", level=1)).to_be_visible()
    page.get_by_label("Nazwa użytkownika").fill("zofia")
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()

    # Security's 2FA setup page, in Polish, form labels and buttons included.
    expect(page).to_have_url(re.compile(r"/account/2fa/setup/"))
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    heading = "Skonfiguruj uwierzytelnianie dwuskładnikowe"
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
    manual_key = page.get_by_label("Klucz konfiguracyjny").inner_text()
    page.get_by_label("Kod z aplikacji uwierzytelniającej").fill(totp_now(manual_key))
    page.get_by_role("button", name="Włącz uwierzytelnianie dwuskładnikowe").click()
    expect(page.get_by_role("heading", name="Twoje kody zapasowe", level=1)).to_be_visible()
    page.get_by_role("link", name="Zapisałem je, dalej").click()

    # Core's operations dashboard and the packages' cards.
    expect(page).to_have_url(re.compile(r"/ops/$"))
    expect(page.get_by_role("heading", name="Panel operacyjny", level=1)).to_be_visible()
    # The health card's title; the shared navigation names the JSON report apart.
    expect(page.get_by_role("link", name="Stan zdrowia", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Stan zdrowia (JSON)")).to_be_visible()
    expect(page.get_by_role("link", name="Powrót do serwisu")).to_be_visible()
    expect(page.get_by_role("heading", name="Kopie zapasowe")).to_be_visible()

    # And back to English from the school's pages.
    page.goto("/")
    page.get_by_label("Język").select_option("en")
    page.get_by_role("button", name="Zmień").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
