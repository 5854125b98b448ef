"""The school's scheduled work and its Celery wiring."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from prodready.schedule import beat_schedule
from school import services, tasks
from school.models import Attendance, Invoice, Lesson, Level, Room, Student, Subject, Tutor

pytestmark = pytest.mark.django_db

NOVEMBER = datetime.date(2026, 11, 1)


@pytest.fixture
def lesson_factory(django_user_model):
    level = Level.objects.create(name="GCSE")
    subject = Subject.objects.create(name="Maths")
    room = Room.objects.create(name="Online", is_virtual=True, capacity=10)
    tutor = Tutor.objects.create(
        user=django_user_model.objects.create_user("tutor", first_name="Tess", last_name="T"),
        hourly_rate=Decimal(30),
    )

    def make(starts_at, price="25.00", **fields):
        return Lesson.objects.create(
            subject=subject,
            level=level,
            tutor=tutor,
            room=room,
            starts_at=starts_at,
            price=Decimal(price),
            **fields,
        )

    make.level = level
    return make


def student(level, name="Ada", email="ada@example.com"):
    return Student.objects.create(
        first_name=name, last_name="K", email=email, level=level, joined_on=NOVEMBER
    )


def at(day, hour=16):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def test_monthly_invoices_charge_lessons_except_excused_and_cancelled(lesson_factory):
    ada = student(lesson_factory.level)
    for day, status, lesson_status in [
        (3, "present", "taught"),
        (10, "absent", "taught"),  # unexcused: charged
        (17, "excused", "taught"),
        (24, "expected", "cancelled"),
        (28, "expected", "scheduled"),  # later this month: charged in advance
    ]:
        lesson = lesson_factory(at(NOVEMBER.replace(day=day)), status=lesson_status)
        Attendance.objects.create(lesson=lesson, student=ada, status=status)
    december = lesson_factory(at(datetime.date(2026, 12, 1)))
    Attendance.objects.create(lesson=december, student=ada)

    assert services.create_monthly_invoices(NOVEMBER.replace(day=25)) == 1
    invoice = Invoice.objects.get(student=ada)
    assert invoice.month == NOVEMBER
    assert invoice.amount == Decimal("75.00")


def test_monthly_invoices_are_not_duplicated_by_a_second_run(lesson_factory):
    ada = student(lesson_factory.level)
    Attendance.objects.create(lesson=lesson_factory(at(NOVEMBER)), student=ada)
    assert services.create_monthly_invoices(NOVEMBER) == 1
    assert services.create_monthly_invoices(NOVEMBER) == 0
    assert Invoice.objects.count() == 1


def test_no_invoice_without_lessons(lesson_factory):
    student(lesson_factory.level)
    assert services.create_monthly_invoices(NOVEMBER) == 0
    assert not Invoice.objects.exists()


def test_reminders_go_to_students_with_lessons_tomorrow(lesson_factory):
    tomorrow = datetime.date(2026, 11, 24)
    ada, bo = student(lesson_factory.level), student(lesson_factory.level, "Bo", email="")
    lesson = lesson_factory(at(tomorrow))
    Attendance.objects.create(lesson=lesson, student=ada)
    Attendance.objects.create(lesson=lesson, student=bo)  # no address: skipped
    cancelled = lesson_factory(at(tomorrow, 18), status="cancelled")
    Attendance.objects.create(lesson=cancelled, student=ada)

    assert services.send_lesson_reminders(tomorrow) == 1
    [message] = mail.outbox
    assert message.to == ["ada@example.com"]
    assert "Maths" in message.subject
    assert "Hello Ada" in message.body
    assert "Tess T" in message.body


def test_expired_makeup_lessons_are_cancelled(lesson_factory):
    expired = lesson_factory(at(NOVEMBER), makeup_expires_on=datetime.date(2026, 11, 20))
    current = lesson_factory(at(NOVEMBER), makeup_expires_on=datetime.date(2026, 11, 30))
    taught = lesson_factory(
        at(NOVEMBER), makeup_expires_on=datetime.date(2026, 11, 2), status="taught"
    )
    assert services.expire_makeup_lessons(datetime.date(2026, 11, 23)) == 1
    statuses = {lesson.pk: lesson.status for lesson in Lesson.objects.all()}
    assert statuses == {expired.pk: "cancelled", current.pk: "scheduled", taught.pk: "taught"}


def test_without_a_broker_tasks_run_in_process(lesson_factory):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    lesson = lesson_factory(at(yesterday), makeup_expires_on=yesterday)
    assert tasks.expire_makeup_lessons.delay().get() == 1
    lesson.refresh_from_db()
    assert lesson.status == "cancelled"


def test_beat_runs_every_packages_tasks_and_the_schools():
    schedule = beat_schedule()
    assert {
        "prodready_backup.backup",
        "prodready_backup.verify",
        "prodready_backup.prune",
        "school.create_monthly_invoices",
        "school.send_lesson_reminders",
        "school.expire_makeup_lessons",
    } <= set(schedule)
    invoices = schedule["school.create_monthly_invoices"]["schedule"]
    assert invoices.day_of_month == {25}
    assert invoices.hour == {6}
