"""Full-page screenshots of every package page, under the production CSP, kept as artifacts.

Each page must be styled, not merely load: its stylesheets are the collected, hashed
files, every one of them applied (a computed style that only the file sets), and no
CSP violation happened on the way (the ``page`` fixture fails the test otherwise).

Saved under ``$PRODREADY_TEST_ARTIFACTS/screenshots/`` when that is set (CI uploads it),
else in the test's tmp_path.
"""

import re

import pytest

from tests.browser.conftest import PASSWORD, log_in, set_up_2fa

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# collectstatic's manifest storage names files with 12 hex digits of their hash.
COLLECTED = re.compile(r"/static/[\w/.-]+\.[0-9a-f]{12}\.css")

# (selector, CSS property, computed value) that only the stylesheet named sets.
OPERATIONS = ("body", "background-color", "rgb(244, 246, 250)")  # core's prodready.css
TWO_FACTOR = (".pr-otp", "max-width", "760px")  # security's otp.css
MESSAGE = ("body", "max-width", "512px")  # prodready.css's pr-message, 32rem
SITE = ("body", "background-color", "rgb(248, 250, 252)")  # the example's site.css
LOGIN = (".panel", "max-width", "420px")  # site.css's panel narrow
ADMIN = ("body", "margin", "0px")  # the admin's base.css (browsers default to 8px)

STAFF_PAGES = {
    "ops": ("/ops/", [OPERATIONS]),
    "audit": ("/security/audit/", [OPERATIONS]),
    "backups": ("/backups/", [OPERATIONS]),
    "sessions": ("/account/sessions/", [OPERATIONS]),
    "csp-reports": ("/security/csp/", [OPERATIONS]),
    "2fa-manage": ("/account/2fa/", [OPERATIONS, TWO_FACTOR]),
    "2fa-regenerate": ("/account/2fa/backup-codes/", [OPERATIONS, TWO_FACTOR]),
    "2fa-disable": ("/account/2fa/disable/", [OPERATIONS, TWO_FACTOR]),
    "admin-audit": ("/admin/prodready_security/auditevent/", [ADMIN]),  # with CSV export
    "lessons": ("/school/lessons/", [SITE]),
    "invoices": ("/school/invoices/", [SITE]),
    "reports": ("/school/reports/", [SITE]),
}


def shoot(page, expect, directory, name, styles):
    """Check that ``page`` is styled as ``styles`` say, then save its screenshot."""
    # After a form's POST, the answer can be rendering while its stylesheets still load;
    # the load event waits for them (a sheet that never loads still fails below).
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    sheets = page.eval_on_selector_all(
        "link[rel=stylesheet]",
        "links => links.map(l => [new URL(l.href).pathname, l.sheet?.cssRules.length ?? 0])",
    )
    assert sheets, f"{name}: no stylesheet"
    for path, rules in sheets:
        assert COLLECTED.fullmatch(path), f"{name}: {path} is not a collected, hashed file"
        assert rules > 0, f"{name}: {path} did not load"
    for selector, prop, value in styles:
        found = page.locator(selector).first.evaluate(
            "(element, prop) => getComputedStyle(element).getPropertyValue(prop)", prop
        )
        assert found == value, f"{name}: {selector} {{{prop}: {found}}}, expected {value}"
    save(page, directory, name)


def save(page, directory, name):
    path = directory / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 1000, path
    assert path.read_bytes()[:8] == PNG_SIGNATURE, path


def test_screenshots_of_the_staff_pages(
    page, second_browser, expect, django_user_model, artifacts_dir
):
    django_user_model.objects.create_superuser("olivia", password=PASSWORD)
    log_in(page, "olivia", next_url="/ops/")
    expect(page).to_have_url(re.compile(r"/account/2fa/setup/"))
    shoot(page, expect, artifacts_dir, "2fa-setup", [OPERATIONS, TWO_FACTOR])
    set_up_2fa(page)
    shoot(page, expect, artifacts_dir, "2fa-backup-codes", [OPERATIONS, TWO_FACTOR])
    page.get_by_role("link", name="I saved them, continue").click()
    expect(page.get_by_role("heading", name="Operations dashboard", level=1)).to_be_visible()

    for name, (url, styles) in STAFF_PAGES.items():
        response = page.goto(url)
        assert response.status == 200, (url, response.status)
        assert page.url.endswith(url), (url, page.url)  # not sent elsewhere (login, verify)
        shoot(page, expect, artifacts_dir, name, styles)

    # The health report is JSON; staff get every check's details.
    response = page.goto("/health/")
    assert response.status in {200, 503}, response.status
    assert response.json()["checks"], response.json()
    save(page, artifacts_dir, "health")

    # Signing in again elsewhere: the password, then a code on the verify page.
    with second_browser() as again:
        log_in(again, "olivia", next_url="/ops/")
        expect(again).to_have_url(re.compile(r"/account/2fa/verify/"))
        shoot(again, expect, artifacts_dir, "2fa-verify", [OPERATIONS, TWO_FACTOR])
    print(f"Screenshots: {artifacts_dir}")


def test_screenshots_of_the_login_and_too_many_requests_pages(
    page, expect, django_user_model, artifacts_dir
):
    django_user_model.objects.create_user("sam", password=PASSWORD)
    assert page.goto("/accounts/login/").status == 200
    shoot(page, expect, artifacts_dir, "login", [SITE, LOGIN])

    # Five failed logins lock the username out: the sixth gets the 429 page, which the
    # rate-limit middleware renders on its own (core's stylesheet, without the site's).
    for _attempt in range(5):
        assert log_in(page, "sam", "not-the-password").status == 200
    assert log_in(page, "sam", PASSWORD).status == 429
    shoot(page, expect, artifacts_dir, "429", [OPERATIONS, MESSAGE])
    print(f"Screenshots: {artifacts_dir}")
