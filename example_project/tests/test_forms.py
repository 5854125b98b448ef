"""Admins' lesson and invoice forms: clashes, bad numbers, duplicates, the audit trail."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from prodready_security.audit.models import AuditEvent
from prodready_security.testing import force_login_verified
from school.models import Invoice, Lesson, Level, Room, Student, Subject, Tutor
from tests.roles import school_admin

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 10, 5, 16, 0)


@pytest.fixture
def as_admin(client):
    user = school_admin()
    force_login_verified(client, user)
    return client


def make_tutor(django_user_model, name):
    user = django_user_model.objects.create_user(name, password="x", first_name=name.title())
    return Tutor.objects.create(user=user, hourly_rate=Decimal("30"))


@pytest.fixture
def setup(django_user_model):
    return {
        "subject": Subject.objects.create(name="Maths"),
        "level": Level.objects.create(name="GCSE", order=3),
        "ada": make_tutor(django_user_model, "ada"),
        "bob": make_tutor(django_user_model, "bob"),
        "room": Room.objects.create(name="Room 1"),
        "room2": Room.objects.create(name="Room 2"),
        "online": Room.objects.create(
            name="Online", is_virtual=True, meeting_url="https://meet.example/x"
        ),
    }


def at(minutes_later=0):
    return timezone.make_aware(START) + datetime.timedelta(minutes=minutes_later)


def existing_lesson(setup, room, tutor):
    return Lesson.objects.create(
        subject=setup["subject"],
        level=setup["level"],
        tutor=setup[tutor],
        room=setup[room],
        starts_at=at(),
        minutes=60,
        price=Decimal("25.00"),
    )


def lesson_data(setup, room, tutor, minutes_later=0, **changes):
    data = {
        "subject": setup["subject"].pk,
        "level": setup["level"].pk,
        "tutor": setup[tutor].pk,
        "room": setup[room].pk,
        "starts_at": timezone.localtime(at(minutes_later)).strftime("%Y-%m-%dT%H:%M"),
        "minutes": 60,
        "price": "25.00",
        "makeup_for": "",
        "makeup_expires_on": "",
    }
    return data | changes


def post_lesson(client, data, lesson=None):
    url = reverse("school:lesson-edit", args=[lesson.pk]) if lesson else None
    return client.post(url or reverse("school:lesson-create"), data)


def test_admin_creates_a_lesson(as_admin, setup):
    response = post_lesson(as_admin, lesson_data(setup, "room", "ada"))
    assert response.status_code == 302
    assert Lesson.objects.get().starts_at == at()


def test_an_overlapping_lesson_in_the_same_room_is_rejected_on_room(as_admin, setup):
    existing_lesson(setup, "room", "ada")
    response = post_lesson(as_admin, lesson_data(setup, "room", "bob", minutes_later=30))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["room"]
    assert "Room 1 is booked then: Maths (GCSE)" in errors["room"][0]
    assert "16:00-17:00" in errors["room"][0]
    assert Lesson.objects.count() == 1


def test_back_to_back_and_cancelled_lessons_do_not_clash(as_admin, setup):
    existing_lesson(setup, "room", "ada")
    cancelled = existing_lesson(setup, "room", "bob")
    cancelled.status = Lesson.Status.CANCELLED
    cancelled.save()
    assert post_lesson(as_admin, lesson_data(setup, "room", "bob", 60)).status_code == 302
    assert post_lesson(as_admin, lesson_data(setup, "room2", "bob", -60)).status_code == 302
    assert Lesson.objects.count() == 4


def test_the_virtual_room_takes_overlapping_lessons(as_admin, setup):
    existing_lesson(setup, "online", "ada")
    response = post_lesson(as_admin, lesson_data(setup, "online", "bob", minutes_later=15))
    assert response.status_code == 302
    assert Lesson.objects.filter(room=setup["online"]).count() == 2


def test_a_tutor_is_not_double_booked(as_admin, setup):
    existing_lesson(setup, "room", "ada")
    response = post_lesson(as_admin, lesson_data(setup, "room2", "ada", minutes_later=-30))
    errors = response.context["form"].errors
    assert list(errors) == ["tutor"]
    assert "Ada teaches then" in errors["tutor"][0]
    assert Lesson.objects.count() == 1


def test_editing_a_lesson_does_not_clash_with_itself(as_admin, setup):
    lesson = existing_lesson(setup, "room", "ada")
    response = post_lesson(as_admin, lesson_data(setup, "room", "ada", 15, minutes=90), lesson)
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert (lesson.starts_at, lesson.minutes) == (at(15), 90)


def test_a_negative_price_is_rejected_on_the_field(as_admin, setup):
    response = post_lesson(as_admin, lesson_data(setup, "room", "ada", price="-1"))
    assert response.context["form"].errors == {"price": ["The price can't be negative."]}
    assert "The price can&#x27;t be negative." in response.content.decode()
    assert not Lesson.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"starts_at": "9999-12-31T23:30"}, "starts_at", "Enter a start between 2000 and "),
        ({"starts_at": "0001-01-01T00:00"}, "starts_at", "Enter a start between 2000 and "),
        ({"minutes": "32767"}, "minutes", "A lesson lasts at most 720 minutes."),
        ({"minutes": "9" * 30}, "minutes", "A lesson lasts at most 720 minutes."),
    ],
)
def test_far_dates_and_huge_lengths_are_field_errors(as_admin, setup, changes, field, message):
    """Lesson arithmetic (its end, the clash search) must never overflow Python's dates."""
    response = post_lesson(as_admin, lesson_data(setup, "room", "ada", **changes))
    assert response.status_code == 200
    assert response.context["form"].errors[field][0].startswith(message)
    assert not Lesson.objects.exists()


def test_a_makeup_cannot_expire_before_the_lesson(as_admin, setup):
    data = lesson_data(setup, "room", "ada", makeup_expires_on="2026-10-04")
    errors = post_lesson(as_admin, data).context["form"].errors
    assert list(errors) == ["makeup_expires_on"]


@pytest.fixture
def student(setup):
    return Student.objects.create(
        first_name="Ann", last_name="Pupil", level=setup["level"], joined_on=START.date()
    )


def invoice_data(student, **changes):
    return {"student": student.pk, "month": "2026-10", "amount": "100.00", "status": "draft"} | (
        changes
    )


def test_a_negative_amount_is_rejected_on_the_field(as_admin, student):
    response = as_admin.post(reverse("school:invoice-create"), invoice_data(student, amount="-5"))
    assert response.context["form"].errors == {"amount": ["The amount can't be negative."]}
    assert not Invoice.objects.exists()


def test_a_second_invoice_for_the_month_is_rejected_on_month(as_admin, student):
    first = Invoice.objects.create(
        student=student, month=datetime.date(2026, 10, 1), amount=Decimal("50")
    )
    response = as_admin.post(
        reverse("school:invoice-create"), invoice_data(student, month="2026-10-17")
    )
    errors = response.context["form"].errors
    assert list(errors) == ["month"]
    assert f"invoice #{first.pk}" in errors["month"][0]
    assert Invoice.objects.count() == 1


@pytest.mark.parametrize("month", ["9999-12", "0001-01"])
def test_months_out_of_range_are_refused_where_months_are_entered(as_admin, student, month):
    form = as_admin.post(
        reverse("school:invoice-create"),
        {"student": student.pk, "month": month, "amount": "1", "status": "draft"},
    )
    assert form.context["form"].errors["month"][0].startswith("Enter a month between 2000 and")
    month_run = as_admin.post(reverse("school:invoice-create-month"), {"month": month})
    assert month_run.status_code == 302
    assert not Invoice.objects.exists()
    assert as_admin.get(reverse("school:reports"), {"month": month}).status_code == 200


def test_creating_and_editing_an_invoice_is_audited(as_admin, student):
    url = reverse("school:invoice-create")
    assert as_admin.post(url, invoice_data(student, month="2026-10-17")).status_code == 302
    invoice = Invoice.objects.get()
    assert invoice.month == datetime.date(2026, 10, 1)
    edit = reverse("school:invoice-edit", args=[invoice.pk])
    assert as_admin.get(edit).status_code == 200
    assert as_admin.post(edit, invoice_data(student, amount="90.00")).status_code == 302
    events = AuditEvent.objects.filter(
        target_content_type=ContentType.objects.get_for_model(Invoice), target_pk=str(invoice.pk)
    ).order_by("sequence")
    assert [event.action for event in events] == ["model.created", "model.updated"]
    assert events[1].changes["amount"] == ["100.00", "90.00"]
    assert events[1].actor.username == "admin"


@pytest.mark.parametrize("name", ["lesson-create", "invoice-create"])
def test_admins_open_the_new_forms(as_admin, setup, name):
    assert as_admin.get(reverse(f"school:{name}")).status_code == 200


@pytest.mark.parametrize("name", ["lesson-create", "invoice-create"])
def test_non_admins_are_forbidden(client, setup, name):
    client.force_login(setup["ada"].user)
    assert client.get(reverse(f"school:{name}")).status_code == 403
    assert client.post(reverse(f"school:{name}"), {}).status_code == 403


def test_non_admins_cannot_edit(client, setup, student):
    lesson = existing_lesson(setup, "room", "ada")
    invoice = Invoice.objects.create(student=student, month=START.date().replace(day=1), amount=1)
    client.force_login(setup["ada"].user)
    assert client.get(reverse("school:lesson-edit", args=[lesson.pk])).status_code == 403
    assert client.get(reverse("school:invoice-edit", args=[invoice.pk])).status_code == 403
