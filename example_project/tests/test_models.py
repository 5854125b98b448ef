"""The school's data rules live in the database, and invoices leave an audit trail."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError

from prodready_security.audit.models import AuditEvent
from school.models import Invoice, Level, Room, Student

pytestmark = pytest.mark.django_db


@pytest.fixture
def student():
    level = Level.objects.create(name="GCSE", order=2)
    return Student.objects.create(
        first_name="Ada", last_name="King", level=level, joined_on=datetime.date(2026, 9, 1)
    )


def test_only_a_virtual_room_has_a_meeting_link():
    Room.objects.create(name="Online", is_virtual=True, meeting_url="https://meet.example/x")
    with pytest.raises(IntegrityError):
        Room.objects.create(name="Room 1", meeting_url="https://meet.example/y")


def test_an_invoice_covers_a_whole_month(student):
    with pytest.raises(IntegrityError):
        Invoice.objects.create(student=student, month=datetime.date(2026, 11, 5), amount=1)


def test_one_invoice_per_student_and_month(student):
    Invoice.objects.create(student=student, month=datetime.date(2026, 11, 1), amount=1)
    with pytest.raises(IntegrityError):
        Invoice.objects.create(student=student, month=datetime.date(2026, 11, 1), amount=2)


def test_invoice_changes_are_audited_with_before_and_after(student):
    invoice = Invoice.objects.create(
        student=student, month=datetime.date(2026, 11, 1), amount=Decimal("120.00")
    )
    invoice.amount = Decimal("90.00")
    invoice.save()
    events = AuditEvent.objects.filter(target_pk=str(invoice.pk)).order_by("sequence")
    assert [event.action for event in events] == ["model.created", "model.updated"]
    assert events[1].changes["amount"] == ["120.00", "90.00"]
