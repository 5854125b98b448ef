"""An admin creates and edits an invoice in the browser, then finds both in the audit log."""

import datetime
import re
from decimal import Decimal

import pytest

from prodready_security.audit.models import AuditEvent
from school.models import Invoice, Level, Student
from tests.browser.conftest import PASSWORD, log_in, set_up_2fa

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INVOICE = "Ann Pupil 2026-09"  # str(invoice): the student and the month
NONE = "\N{EN DASH}"  # how the audit page shows "no value" (before a creation)


@pytest.fixture
def admin_page(page, expect, django_user_model):
    """``page``, signed in as an admin who has just set up 2FA, on the invoice list."""
    django_user_model.objects.create_superuser("olivia", password=PASSWORD)
    Student.objects.create(
        first_name="Ann",
        last_name="Pupil",
        level=Level.objects.create(name="GCSE", order=3),
        joined_on=datetime.date(2025, 9, 1),
    )
    log_in(page, "olivia", next_url="/school/invoices/")
    set_up_2fa(page)
    page.get_by_role("link", name="I saved them, continue").click()
    expect(page.get_by_role("heading", name="Invoices", level=1)).to_be_visible()
    return page


def fill_new_invoice(page, amount):
    page.get_by_role("link", name="New invoice").click()
    page.get_by_label("Student").select_option(label="Ann Pupil")
    page.get_by_label("Month").fill("2026-09")
    page.get_by_label("Amount").fill(amount)


def test_admin_creates_and_edits_an_invoice_and_finds_both_in_the_audit_log(
    admin_page, expect, artifacts_dir
):
    page = admin_page
    fill_new_invoice(page, "120.00")
    page.get_by_role("button", name="Create invoice").click()
    expect(page.get_by_text(f"Invoice {INVOICE} created.")).to_be_visible()

    row = page.get_by_role("row").filter(has_text="Ann Pupil")
    expect(row).to_contain_text("120.00")
    row.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name=f"Edit invoice {INVOICE}")).to_be_visible()
    page.get_by_label("Amount").fill("95.50")
    page.get_by_role("button", name="Save invoice").click()
    expect(page.get_by_text(f"Invoice {INVOICE} saved.")).to_be_visible()
    expect(row).to_contain_text("95.50")

    # Most recent first; columns: # | When | Who | Action | Object | Changes | Address.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log", level=1)).to_be_visible()
    events = page.locator("table.pr-table tbody tr").filter(has_text=INVOICE)
    expect(events).to_have_count(2)
    updated, created = events.nth(0).get_by_role("cell"), events.nth(1).get_by_role("cell")
    expect(updated.nth(2)).to_have_text("olivia")
    expect(updated.nth(3)).to_have_text("model.updated")
    expect(updated.nth(5)).to_have_text("amount: 120.00 → 95.50")  # the one field changed
    expect(created.nth(2)).to_have_text("olivia")
    expect(created.nth(3)).to_have_text("model.created")
    for field, value in ("amount", "120.00"), ("month", "2026-09-01"), ("status", "draft"):
        expect(created.nth(5)).to_contain_text(f"{field}: {NONE} → {value}")
    page.screenshot(path=str(artifacts_dir / "audit-invoice.png"), full_page=True)

    assert Invoice.objects.get().amount == Decimal("95.50")


def test_a_negative_amount_is_refused_next_to_the_field_and_nothing_is_saved(admin_page, expect):
    page = admin_page
    fill_new_invoice(page, "-5.00")
    with page.expect_response(lambda response: response.request.method == "POST") as sent:
        page.get_by_role("button", name="Create invoice").click()

    assert sent.value.status == 200  # the form again, no redirect
    expect(page).to_have_url(re.compile(r"/school/invoices/new/$"))
    amount = page.locator(".field").filter(has=page.get_by_label("Amount"))
    expect(amount.locator(".errorlist")).to_have_text("The amount can't be negative.")
    expect(page.locator(".errorlist")).to_have_count(1)  # no other field complains
    expect(page.get_by_label("Amount")).to_have_value("-5.00")
    assert not Invoice.objects.exists()
    assert not AuditEvent.objects.filter(target_repr=INVOICE).exists()
