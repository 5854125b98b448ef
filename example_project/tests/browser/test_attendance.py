"""A tutor takes a lesson's attendance in the browser."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from school.models import Attendance, Lesson, Level, Room, Student, Subject, Tutor
from tests.browser.conftest import PASSWORD, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def lesson(django_user_model):
    user = django_user_model.objects.create_user("ada", password=PASSWORD, first_name="Ada")
    tutor = Tutor.objects.create(user=user, hourly_rate=Decimal("30"))
    level = Level.objects.create(name="GCSE", order=3)
    lesson = Lesson.objects.create(
        subject=Subject.objects.create(name="Maths"),
        level=level,
        tutor=tutor,
        room=Room.objects.create(name="Room 1"),
        starts_at=timezone.now() - datetime.timedelta(hours=2),
        price=Decimal("25.00"),
    )
    for name in ("Ann", "Ben"):
        student = Student.objects.create(
            first_name=name, last_name="Pupil", level=level, joined_on=datetime.date(2026, 9, 1)
        )
        Attendance.objects.create(lesson=lesson, student=student)
    return lesson


def test_tutor_marks_attendance_and_sees_it_saved(page, expect, lesson):
    log_in(page, "ada")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My lessons").click()
    page.get_by_role("link", name="Attendance").click()
    expect(page).to_have_url(re.compile(rf"/school/lessons/{lesson.pk}/$"))
    expect(page.get_by_role("heading", name="Maths · GCSE")).to_be_visible()

    ann = page.get_by_role("row").filter(has_text="Ann Pupil")
    ben = page.get_by_role("row").filter(has_text="Ben Pupil")
    ann.get_by_label("Present").check()
    ben.get_by_label("Absent").check()
    page.get_by_role("button", name="Save attendance").click()

    expect(page.get_by_text("Attendance saved for 2 students.")).to_be_visible()
    expect(page.locator(".status")).to_have_text("Taught")
    expect(ann.get_by_label("Present")).to_be_checked()
    expect(ben.get_by_label("Absent")).to_be_checked()
    page.reload()
    expect(ann.get_by_label("Present")).to_be_checked()
    expect(ben.get_by_label("Absent")).to_be_checked()
    saved = dict(lesson.attendance.values_list("student__first_name", "status"))
    assert saved == {"Ann": "present", "Ben": "absent"}
    lesson.refresh_from_db()
    assert lesson.status == Lesson.Status.TAUGHT
