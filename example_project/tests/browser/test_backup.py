"""An admin backs the site up from the navigation, sees it on the dashboard and on the
backups page, and verifies it from there."""

import re

import pytest

from prodready_backup.models import BackupRecord
from tests.browser.conftest import NAVIGATION_TIMEOUT_MS, PASSWORD, log_in, set_up_2fa

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_backs_up_now_and_the_backups_card_shows_it(
    page, expect, django_user_model, settings, tmp_path
):
    settings.PRODREADY_BACKUP_DIRECTORY = str(tmp_path / "backups")
    django_user_model.objects.create_superuser("root", password=PASSWORD)
    log_in(page, "root", next_url="/school/lessons/")
    set_up_2fa(page)
    page.get_by_role("link", name="I saved them, continue").click()
    expect(page).to_have_url(re.compile(r"/school/lessons/$"))

    # No worker beside the live server: the backup runs in the request, then redirects
    # back; the click waits for that page load (pg_dump included), not a mere action.
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("button", name="Back up now").click(timeout=NAVIGATION_TIMEOUT_MS)
    expect(page).to_have_url(re.compile(r"/school/lessons/$"))

    nav.get_by_role("link", name="Operations").click()
    card = page.locator("section.pr-card").filter(
        has=page.get_by_role("heading", name="Backups", exact=True)
    )
    rows = card.locator("tbody tr")
    expect(rows.first).to_be_visible()
    expect(card.get_by_text("never backed up")).to_have_count(0)
    expect(card.get_by_text("Failed")).to_have_count(0)
    expect(card.get_by_text("Succeeded")).to_have_count(rows.count())

    card.get_by_role("link", name="All backups and their verification").click()
    expect(page.get_by_role("heading", name="Backups", level=1)).to_be_visible()
    history = page.locator("table.pr-table tbody tr")
    expect(history).to_have_count(BackupRecord.objects.count())
    expect(history.get_by_text("Succeeded")).to_have_count(history.count())
    # A restore test of each target, in the request too.
    page.get_by_role("button", name="Verify the latest now").click(timeout=NAVIGATION_TIMEOUT_MS)
    expect(page.get_by_text("Verification of the latest backup requested.")).to_be_visible()
    expect(history.get_by_text("verified", exact=True)).to_have_count(history.count())
    expect(page.get_by_text("verify failed")).to_have_count(0)

    records = BackupRecord.objects.all()
    assert records, "no backup was recorded"
    assert {record.status for record in records} == {"succeeded"}
    assert any((tmp_path / "backups").rglob("*")), "no backup file was written"
