"""``manage.py seed_demo``: a realistic, tagged, reproducible demo school for development."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone

from school import demo_data
from school.figures import compute
from school.models import Attendance, Invoice, Lesson, Level, Room, Student, Subject, Tutor

pytestmark = pytest.mark.django_db


def seed_demo(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot():
    """The demo school, without primary keys or auto_now timestamps."""
    return {
        "users": sorted(
            (u.username, u.first_name, u.last_name, u.email, u.date_joined)
            for u in demo_data.demo_users()
        ),
        "students": sorted(
            (s.first_name, s.last_name, s.email, s.level.name, s.joined_on, s.active)
            for s in Student.objects.select_related("level")
        ),
        "lessons": sorted(
            Lesson.objects.values_list(
                "tutor__user__username",
                "subject__name",
                "level__name",
                "room__name",
                "starts_at",
                "minutes",
                "price",
                "status",
                "makeup_for__starts_at",
            )
        ),
        "attendance": sorted(
            Attendance.objects.values_list(
                "lesson__tutor__user__username", "lesson__starts_at", "student__email", "status"
            )
        ),
        "invoices": sorted(
            Invoice.objects.values_list("student__email", "month", "amount", "status", "paid_at")
        ),
    }


def test_refused_outside_development(settings, django_user_model):
    settings.SCHOOL_DEMO_USER_ALLOWED = False
    with pytest.raises(CommandError, match="only runs with development settings"):
        seed_demo()
    assert not django_user_model.objects.exists()
    assert not Student.objects.exists()


def test_creates_a_realistic_school(django_user_model):
    output = seed_demo("--seed", "5")
    assert "Demo school created" in output

    # seed_production's reference data, plus three physical rooms.
    assert Subject.objects.count() == 6
    assert Level.objects.count() == 5
    assert Room.objects.filter(is_virtual=True).get().name == "Online"
    assert Room.objects.filter(is_virtual=False).count() == 3

    tutors = Tutor.objects.all()
    assert tutors.count() == 6
    assert all(tutor.subjects.exists() for tutor in tutors)
    students = Student.objects.all()
    assert students.count() == 60
    assert all(s.email.endswith("@demo.invalid") for s in students)
    assert Level.objects.filter(students__isnull=False).distinct().count() == 5
    with_login = students.exclude(user=None).count()
    assert 0 < with_login < 60
    users = django_user_model.objects.all()
    assert users.count() == 6 + with_login
    assert all(u.username.startswith("demo-") for u in users)
    assert not any(u.has_usable_password() for u in users)  # never a default password
    assert not users.filter(is_staff=True).exists()

    today = timezone.localdate()
    days = [timezone.localdate(at) for at in Lesson.objects.values_list("starts_at", flat=True)]
    assert min(days) >= today - datetime.timedelta(weeks=8)
    assert min(days) < today - datetime.timedelta(weeks=7)
    assert max(days) > today + datetime.timedelta(weeks=1)
    assert 200 < len(days) < 500
    assert Lesson.objects.filter(status=Lesson.Status.TAUGHT, starts_at__date__lt=today).exists()
    assert not Lesson.objects.filter(status=Lesson.Status.TAUGHT, starts_at__date__gte=today)
    assert Lesson.objects.filter(status=Lesson.Status.SCHEDULED).exists()
    cancelled = Lesson.objects.filter(status=Lesson.Status.CANCELLED)
    assert 0 < cancelled.count() < 40
    makeups = Lesson.objects.exclude(makeup_for=None)
    assert makeups.exists()
    assert all(m.makeup_for.status == Lesson.Status.CANCELLED for m in makeups)
    # Every student is in a class; every class's students are of its level.
    assert not students.filter(attendance=None).exists()
    assert not Attendance.objects.exclude(student__level=F("lesson__level")).exists()

    statuses = dict.fromkeys(Attendance.Status.values, 0)
    for status in Attendance.objects.values_list("status", flat=True):
        statuses[status] += 1
    assert statuses["present"] > 5 * (statuses["absent"] + statuses["excused"])
    assert statuses["absent"] > 0
    assert statuses["excused"] > 0
    assert not Attendance.objects.filter(
        lesson__status=Lesson.Status.TAUGHT, status=Attendance.Status.EXPECTED
    ).exists()

    invoices = Invoice.objects.all()
    assert invoices.filter(status=Invoice.Status.PAID).exists()
    assert invoices.filter(status=Invoice.Status.SENT).exists()
    assert not invoices.filter(month__gte=today.replace(day=1)).exists()  # past months only
    assert all(i.amount > Decimal(0) for i in invoices)
    assert not invoices.filter(status=Invoice.Status.PAID, paid_at=None).exists()
    assert all(i.issued_at < timezone.now() for i in invoices)


def test_same_seed_same_school_other_seed_another():
    seed_demo("--seed", "7")
    first = snapshot()
    seed_demo("--seed", "7", "--reset")
    assert snapshot() == first
    seed_demo("--seed", "8", "--reset")
    assert snapshot() != first


def test_second_run_refuses_without_reset():
    seed_demo()
    before = snapshot()
    with pytest.raises(CommandError, match=r"Demo data exists already.*--reset"):
        seed_demo("--seed", "2")
    assert snapshot() == before


def test_keep_existing_leaves_demo_data_alone():
    seed_demo()
    before = snapshot()
    output = seed_demo("--seed", "2", "--keep-existing")
    assert "Demo data exists already; left unchanged" in output
    assert snapshot() == before
    with pytest.raises(CommandError, match="contradict"):
        seed_demo("--reset", "--keep-existing")


def test_reset_replaces_demo_rows_and_keeps_the_schools_own(django_user_model):
    call_command("seed_production", stdout=StringIO())  # reference data and an admin
    level = Level.objects.get(name="GCSE")
    subject = Subject.objects.get(name="Mathematics")
    staff = django_user_model.objects.create_user("ada", email="ada@example.com")
    tutor = Tutor.objects.create(user=staff, hourly_rate=Decimal("40.00"))
    student = Student.objects.create(
        first_name="Real",
        last_name="Student",
        email="real@example.com",
        level=level,
        joined_on=datetime.date(2024, 9, 1),
    )
    lesson = Lesson.objects.create(
        subject=subject,
        level=level,
        tutor=tutor,
        room=Room.objects.get(name="Online"),
        starts_at=timezone.now(),
        price=Decimal("30.00"),
    )
    Attendance.objects.create(lesson=lesson, student=student)
    invoice = Invoice.objects.create(
        student=student, month=datetime.date(2024, 9, 1), amount=Decimal("30.00")
    )

    seed_demo("--seed", "1")
    demo_user_pks = set(demo_data.demo_users().values_list("pk", flat=True))
    output = seed_demo("--seed", "1", "--reset")
    assert "Deleted the earlier demo rows" in output
    assert "60 students" in output
    assert not demo_user_pks & set(django_user_model.objects.values_list("pk", flat=True))

    # The school's own rows are all still there; the demo rows are new ones.
    assert django_user_model.objects.filter(username__in=["admin", "ada"]).count() == 2
    assert Tutor.objects.filter(pk=tutor.pk).exists()
    assert Lesson.objects.filter(pk=lesson.pk).exists()
    assert Attendance.objects.filter(lesson=lesson, student=student).exists()
    assert Invoice.objects.filter(pk=invoice.pk).exists()
    assert Tutor.objects.count() == 7
    assert Student.objects.count() == 61
    assert demo_data.demo_students().count() == 60


def test_dashboard_figures_have_something_to_show(django_user_model):
    seed_demo()
    figures = compute()
    assert figures.active_students == 60
    assert figures.active_tutors == 6
    assert 0 < figures.attendance_rate < 1
    signups = figures.new_users_30_days
    assert sum(signups) == django_user_model.objects.count()
    assert sum(1 for n in signups if n) >= 10  # spread over the month, not one spike
