"""The school's pages: who may open them, attendance, invoices and the navigation."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from prodready_security.audit.models import AuditEvent
from prodready_security.testing import force_login_verified
from school import views
from school.models import Attendance, Invoice, Lesson, Level, Room, Student, Subject, Tutor
from tests.roles import school_admin

pytestmark = pytest.mark.django_db

PASSWORD = "x"


@pytest.fixture
def level():
    return Level.objects.create(name="GCSE", order=3)


@pytest.fixture
def tutor(django_user_model):
    user = django_user_model.objects.create_user("tutor", password=PASSWORD, first_name="Ada")
    return Tutor.objects.create(user=user, hourly_rate=Decimal("30"))


@pytest.fixture
def other_tutor(django_user_model):
    user = django_user_model.objects.create_user("other", password=PASSWORD)
    return Tutor.objects.create(user=user, hourly_rate=Decimal("30"))


@pytest.fixture
def students(level):
    return [
        Student.objects.create(
            first_name=name, last_name="Pupil", level=level, joined_on=datetime.date(2026, 9, 1)
        )
        for name in ("Ann", "Ben", "Cat")
    ]


def make_lesson(tutor, level, students, starts_at):
    lesson = Lesson.objects.create(
        subject=Subject.objects.get_or_create(name="Maths")[0],
        level=level,
        tutor=tutor,
        room=Room.objects.get_or_create(name="Room 1")[0],
        starts_at=starts_at,
        price=Decimal("25.00"),
    )
    for student in students:
        Attendance.objects.create(lesson=lesson, student=student)
    return lesson


@pytest.fixture
def lesson(tutor, level, students):
    return make_lesson(tutor, level, students, timezone.now() - datetime.timedelta(hours=2))


@pytest.fixture
def other_lesson(other_tutor, level, students):
    return make_lesson(other_tutor, level, students, timezone.now() + datetime.timedelta(days=1))


@pytest.fixture
def invoice(students):
    return Invoice.objects.create(
        student=students[0], month=datetime.date(2026, 10, 1), amount=Decimal("100.00")
    )


@pytest.fixture
def as_admin(client):
    user = school_admin(password=PASSWORD)
    force_login_verified(client, user)
    return client


@pytest.fixture
def as_tutor(client, tutor):
    client.force_login(tutor.user)
    return client


@pytest.fixture
def as_student(client, django_user_model, students):
    user = django_user_model.objects.create_user("ann", password=PASSWORD)
    students[0].user = user
    students[0].save()
    client.force_login(user)
    return client


def page_urls(lesson):
    return {
        "lessons": reverse("school:lesson-list"),
        "attendance": reverse("school:lesson-attendance", args=[lesson.pk]),
        "invoices": reverse("school:invoice-list"),
        "import": reverse("school:student-import"),
        "reports": reverse("school:reports"),
        "report-csv": reverse("school:report-download", args=["attendance", "csv"]),
        "report-xlsx": reverse("school:report-download", args=["invoices", "xlsx"]),
    }


ADMIN_ONLY = ["invoices", "import", "reports", "report-csv", "report-xlsx"]
TUTOR_TOO = ["lessons", "attendance"]


@pytest.mark.parametrize("page", ADMIN_ONLY + TUTOR_TOO)
def test_admins_open_every_page(as_admin, lesson, page):
    assert as_admin.get(page_urls(lesson)[page]).status_code == 200


@pytest.mark.parametrize("page", TUTOR_TOO)
def test_tutors_open_their_lesson_pages(as_tutor, lesson, page):
    assert as_tutor.get(page_urls(lesson)[page]).status_code == 200


@pytest.mark.parametrize("page", ADMIN_ONLY)
def test_tutors_are_forbidden_admin_pages(as_tutor, lesson, page):
    assert as_tutor.get(page_urls(lesson)[page]).status_code == 403


@pytest.mark.parametrize("page", ADMIN_ONLY + TUTOR_TOO)
def test_students_are_forbidden_every_page(as_student, lesson, page):
    assert as_student.get(page_urls(lesson)[page]).status_code == 403


@pytest.mark.parametrize("page", ADMIN_ONLY + TUTOR_TOO)
def test_anonymous_visitors_are_sent_to_log_in(client, lesson, page):
    url = page_urls(lesson)[page]
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('login')}?next=")


def test_staff_without_2fa_are_sent_to_set_it_up(client, django_user_model, lesson):
    client.force_login(django_user_model.objects.create_user("new", is_staff=True))
    response = client.get(reverse("school:invoice-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("prodready_otp:setup"))


def test_my_lessons_lists_only_the_tutors_own(as_tutor, lesson, other_lesson):
    response = as_tutor.get(reverse("school:lesson-list"))
    assert list(response.context["recent"]) == [lesson]
    assert list(response.context["upcoming"]) == []


def test_admins_see_every_tutors_lessons(as_admin, lesson, other_lesson):
    response = as_admin.get(reverse("school:lesson-list"))
    assert list(response.context["recent"]) == [lesson]
    assert list(response.context["upcoming"]) == [other_lesson]
    assert b"Tutor" in response.content
    assert reverse("school:lesson-edit", args=[lesson.pk]).encode() in response.content


def test_tutors_get_no_edit_links(as_tutor, lesson):
    response = as_tutor.get(reverse("school:lesson-list"))
    assert reverse("school:lesson-edit", args=[lesson.pk]).encode() not in response.content


def test_a_tutor_cannot_take_another_tutors_attendance(as_tutor, other_lesson):
    url = reverse("school:lesson-attendance", args=[other_lesson.pk])
    assert as_tutor.get(url).status_code == 403
    assert as_tutor.post(url, {}).status_code == 403


def marks(lesson, statuses):
    rows = lesson.attendance.order_by("student__first_name")
    return {f"attendance_{a.pk}": s for a, s in zip(rows, statuses, strict=True)}


def test_attendance_submit_saves_every_row_and_marks_the_lesson_taught(as_tutor, lesson):
    url = reverse("school:lesson-attendance", args=[lesson.pk])
    response = as_tutor.post(url, marks(lesson, ["present", "absent", "excused"]))
    assert response.status_code == 302
    saved = lesson.attendance.order_by("student__first_name").values_list("status", flat=True)
    assert list(saved) == ["present", "absent", "excused"]
    lesson.refresh_from_db()
    assert lesson.status == Lesson.Status.TAUGHT
    assert b"Attendance saved for 3 students" in as_tutor.get(url).content


def test_attendance_with_a_student_unmarked_saves_nothing(as_tutor, lesson):
    data = marks(lesson, ["present", "absent", "excused"])
    data.popitem()
    response = as_tutor.post(reverse("school:lesson-attendance", args=[lesson.pk]), data)
    assert response.status_code == 200
    assert b"Mark Cat Pupil present or absent." in response.content
    assert set(lesson.attendance.values_list("status", flat=True)) == {"expected"}
    lesson.refresh_from_db()
    assert lesson.status == Lesson.Status.SCHEDULED


def test_attendance_refuses_an_invalid_choice(as_tutor, lesson):
    data = marks(lesson, ["present", "absent", "asleep"])
    response = as_tutor.post(reverse("school:lesson-attendance", args=[lesson.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert set(lesson.attendance.values_list("status", flat=True)) == {"expected"}


def test_attendance_of_a_cancelled_lesson_is_refused(as_admin, lesson):
    lesson.status = Lesson.Status.CANCELLED
    lesson.save()
    data = marks(lesson, ["present", "present", "present"])
    response = as_admin.post(reverse("school:lesson-attendance", args=[lesson.pk]), data)
    assert b"This lesson was cancelled" in response.content
    lesson.refresh_from_db()
    assert lesson.status == Lesson.Status.CANCELLED


def test_invoices_filter_by_month_and_status(as_admin, invoice, students):
    Invoice.objects.create(
        student=students[1], month=datetime.date(2026, 11, 1), amount=Decimal("50")
    )
    url = reverse("school:invoice-list")
    by_month = as_admin.get(url, {"month": "2026-10"}).context["page"].object_list
    assert list(by_month) == [invoice]
    by_status = as_admin.get(url, {"status": "paid"}).context["page"].object_list
    assert list(by_status) == []
    assert len(as_admin.get(url).context["page"].object_list) == 2


def test_mark_paid_records_the_payment_in_the_audit_log(as_admin, invoice):
    url = reverse("school:invoice-mark-paid", args=[invoice.pk])
    response = as_admin.post(url, {"query": "month=2026-10&status=draft"})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('school:invoice-list')}?month=2026-10&status=draft"
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert invoice.paid_at is not None
    assert AuditEvent.objects.filter(target_pk=str(invoice.pk)).exists()


def test_mark_paid_needs_post_and_an_admin(as_tutor, invoice):
    url = reverse("school:invoice-mark-paid", args=[invoice.pk])
    assert as_tutor.get(url).status_code == 405
    assert as_tutor.post(url).status_code == 403
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.DRAFT


def test_a_void_invoice_is_not_marked_paid(as_admin, invoice):
    invoice.status = Invoice.Status.VOID
    invoice.save()
    as_admin.post(reverse("school:invoice-mark-paid", args=[invoice.pk]))
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.VOID


def test_create_this_months_invoices(as_admin, lesson):
    Attendance.objects.filter(lesson=lesson).update(status=Attendance.Status.PRESENT)
    month = timezone.localtime(lesson.starts_at).date().replace(day=1)
    response = as_admin.post(
        reverse("school:invoice-create-month"), {"month": f"{month:%Y-%m}"}, follow=True
    )
    assert Invoice.objects.filter(month=month).count() == 3
    assert b"3 new invoices" in response.content


def test_create_invoices_with_a_bad_month_creates_none(as_admin, lesson):
    response = as_admin.post(
        reverse("school:invoice-create-month"), {"month": "soon"}, follow=True
    )
    assert not Invoice.objects.exists()
    assert b"Enter a month like 2026-09." in response.content


def test_home_view_is_still_importable():
    assert views.home.__name__ == "home"


def test_navigation_for_admins_links_every_page(as_admin):
    content = as_admin.get("/").content.decode()
    for name in [
        "school:lesson-list",
        "school:invoice-list",
        "school:student-import",
        "school:reports",
        "prodready:dashboard",
        "prodready_security_audit:recent",
        "prodready_backup:list",
        "prodready_otp:manage",
    ]:
        assert f'"{reverse(name)}"' in content, name


def test_back_up_now_is_offered_to_who_may_start_a_backup(client, django_user_model):
    user = django_user_model.objects.create_user("operator", password=PASSWORD, is_staff=True)
    force_login_verified(client, user)
    back_up_now = f'action="{reverse("prodready_backup:back-up-now")}"'
    assert back_up_now not in client.get("/").content.decode()  # it would answer 403
    user.user_permissions.add(Permission.objects.get(codename="run_backup"))
    assert back_up_now in client.get("/").content.decode()


def test_navigation_for_tutors_links_only_their_pages(as_tutor):
    content = as_tutor.get("/").content.decode()
    assert "My lessons" in content
    assert reverse("school:invoice-list") not in content
    assert reverse("prodready:dashboard") not in content


def test_navigation_for_students(as_student):
    content = as_student.get("/").content.decode()
    assert reverse("school:lesson-list") not in content
    assert reverse("prodready_otp:manage") in content


def test_the_layout_has_no_inline_styles(client):
    content = client.get("/").content.decode()
    assert "<style" not in content
    assert " style=" not in content
    assert 'href="/static/school/site.css"' in content
    assert finders.find("school/site.css")


def test_the_language_switcher_turns_the_pages_polish(as_tutor, lesson):
    page = as_tutor.get(reverse("school:lesson-list")).content.decode()
    assert '<html lang="en">' in page
    assert '<option value="pl" lang="pl">polski</option>' in page
    switched = as_tutor.post(reverse("set_language"), {"language": "pl", "next": "/school/"})
    assert switched.status_code == 302
    page = as_tutor.get(reverse("school:lesson-list")).content.decode()
    assert '<html lang="pl">' in page
    assert "<h1>Moje lekcje</h1>" in page
    assert '<option value="pl" lang="pl" selected>polski</option>' in page
    form = {f"attendance_{a.pk}": "present" for a in lesson.attendance.all()}
    saved = as_tutor.post(reverse("school:lesson-attendance", args=[lesson.pk]), form, follow=True)
    assert "Zapisano obecność" in saved.content.decode()
