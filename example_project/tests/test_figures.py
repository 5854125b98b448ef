"""The school's figures on the dashboard."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from school import figures
from school.models import Attendance, Invoice, Lesson, Level, Room, Student, Subject, Tutor

pytestmark = pytest.mark.django_db


@pytest.fixture
def school(django_user_model):
    level = Level.objects.create(name="GCSE")
    tutor = Tutor.objects.create(
        user=django_user_model.objects.create_user("tutor"), hourly_rate=Decimal(30)
    )
    students = [
        Student.objects.create(
            first_name=name, last_name="X", level=level, joined_on=datetime.date(2026, 1, 1)
        )
        for name in ("Ada", "Bo", "Cy")
    ]
    Student.objects.create(
        first_name="Old",
        last_name="X",
        level=level,
        joined_on=datetime.date(2020, 1, 1),
        active=False,
    )
    lesson = Lesson.objects.create(
        subject=Subject.objects.create(name="Maths"),
        level=level,
        tutor=tutor,
        room=Room.objects.create(name="Room 1", capacity=4),
        starts_at=timezone.now(),
        price=Decimal(25),
    )
    statuses = ["present", "present", "absent"]
    for student, status in zip(students, statuses, strict=True):
        Attendance.objects.create(lesson=lesson, student=student, status=status)
    month = timezone.localdate().replace(day=1)
    Invoice.objects.create(student=students[0], month=month, amount=Decimal("50.00"))
    Invoice.objects.create(student=students[1], month=month, amount=Decimal("25.50"))
    Invoice.objects.create(
        student=students[2], month=month, amount=Decimal(99), status=Invoice.Status.VOID
    )


def test_figures_count_what_is_active_and_due(school):
    result = figures.compute()
    assert result.active_students == 3
    assert result.active_tutors == 1
    assert result.lessons_today == 1
    assert result.revenue_this_month == Decimal("75.50")  # void invoices left out
    assert result.attendance_rate == pytest.approx(2 / 3)
    assert len(result.new_users_30_days) == 30
    assert result.new_users_30_days[-1] == 1  # the tutor's login, created today


def test_an_empty_school_has_no_attendance_rate():
    assert figures.compute().attendance_rate is None
    assert figures.compute().revenue_this_month == Decimal("0.00")


def test_figures_are_cached(school, django_assert_num_queries):
    figures.cache.delete(figures.CACHE_KEY)
    first = figures.figures()
    with django_assert_num_queries(0):
        assert figures.figures() == first
