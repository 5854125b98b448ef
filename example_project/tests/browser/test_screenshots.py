"""Full-page screenshots of the main staff pages, kept as test artifacts.

Saved under ``$PRODREADY_TEST_ARTIFACTS/screenshots/`` when that is set (CI uploads it),
else in the test's tmp_path.
"""

import re

import pytest

from tests.browser.conftest import PASSWORD, log_in, set_up_2fa

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = {
    "ops": "/ops/",
    "lessons": "/school/lessons/",
    "invoices": "/school/invoices/",
    "reports": "/school/reports/",
    "audit": "/security/audit/",
    "backups": "/backups/",
    "sessions": "/account/sessions/",
    "2fa": "/account/2fa/",
}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_screenshots_of_the_main_pages(page, expect, django_user_model, artifacts_dir):
    django_user_model.objects.create_superuser("olivia", password=PASSWORD)
    log_in(page, "olivia", next_url="/ops/")
    expect(page).to_have_url(re.compile(r"/account/2fa/setup/"))
    set_up_2fa(page)
    page.get_by_role("link", name="I saved them, continue").click()
    expect(page.get_by_role("heading", name="Operations dashboard", level=1)).to_be_visible()

    for name, url in PAGES.items():
        response = page.goto(url)
        assert response.status == 200, (url, response.status)
        assert page.url.endswith(url), (url, page.url)  # not sent elsewhere (login, verify)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        path = artifacts_dir / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.is_file(), path
        assert path.stat().st_size > 1000, path
        assert path.read_bytes()[:8] == PNG_SIGNATURE, path
    print(f"Screenshots of {len(PAGES)} pages: {artifacts_dir}")
