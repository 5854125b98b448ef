"""Monthly attendance and invoice reports, as CSV and Excel, safe from formula injection."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from prodready_security.testing import force_login_verified
from school import reports
from school.models import Attendance, Invoice, Lesson, Level, Room, Student, Subject, Tutor
from tests.roles import school_admin

pytestmark = pytest.mark.django_db

MONTH = datetime.date(2026, 10, 1)


@pytest.fixture
def school(django_user_model):
    """Ann: 4 lessons in October (present twice, absent, excused) and one cancelled;
    Ben, whose name is a formula: one lesson, present. Carl: a lesson in November only."""
    level = Level.objects.create(name="GCSE")
    tutor = Tutor.objects.create(
        user=django_user_model.objects.create_user("tutor"), hourly_rate=Decimal(30)
    )
    subject, room = Subject.objects.create(name="Maths"), Room.objects.create(name="R1")
    joined = datetime.date(2026, 9, 1)
    ann = Student.objects.create(
        first_name="Ann", last_name="Smith", level=level, joined_on=joined
    )
    ben = Student.objects.create(
        first_name="=HYPERLINK(\"http://evil\")", last_name="Jones", email="@ben@example.com",
        level=level, joined_on=joined,
    )  # fmt: skip
    carl = Student.objects.create(first_name="Carl", last_name="X", level=level, joined_on=joined)

    def lesson(day, marks, status=Lesson.Status.TAUGHT):
        starts = timezone.make_aware(datetime.datetime(2026, 10, day, 16))
        made = Lesson.objects.create(
            subject=subject, level=level, tutor=tutor, room=room, starts_at=starts,
            price=Decimal("25.50"), status=status,
        )  # fmt: skip
        for student, mark in marks:
            Attendance.objects.create(lesson=made, student=student, status=mark)

    lesson(1, [(ann, "present"), (ben, "present")])
    lesson(8, [(ann, "present")])
    lesson(15, [(ann, "absent")])
    lesson(22, [(ann, "excused")])
    lesson(29, [(ann, "expected")], status=Lesson.Status.CANCELLED)
    later = Lesson.objects.create(
        subject=subject, level=level, tutor=tutor, room=room, price=Decimal(1),
        starts_at=timezone.make_aware(datetime.datetime(2026, 11, 3, 16)),
    )  # fmt: skip
    Attendance.objects.create(lesson=later, student=carl)
    Invoice.objects.create(student=ann, month=MONTH, amount=Decimal("1234.50"))
    Invoice.objects.create(
        student=ben, month=MONTH, amount=Decimal("25.50"), status=Invoice.Status.PAID,
        paid_at=timezone.make_aware(datetime.datetime(2026, 11, 2, 9, 30)),
    )  # fmt: skip
    Invoice.objects.create(student=carl, month=datetime.date(2026, 11, 1), amount=Decimal(1))


@pytest.fixture
def as_admin(client):
    force_login_verified(client, school_admin())
    return client


def download(client, name, fmt, month="2026-10"):
    response = client.get(reverse("school:report-download", args=[name, fmt]), {"month": month})
    assert response.status_code == 200
    return response


def read_csv(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def read_xlsx(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def test_attendance_report_as_csv(as_admin, school):
    response = download(as_admin, "attendance", "csv")
    assert response["Content-Disposition"] == 'attachment; filename="attendance-2026-10.csv"'
    assert read_csv(response) == [
        ["Student", "Level", "Lessons", "Present", "Absent", "Excused", "Attendance rate"],
        ['\'=HYPERLINK("http://evil") Jones', "GCSE", "1", "1", "0", "0", "100.0%"],
        ["Ann Smith", "GCSE", "4", "2", "1", "1", "50.0%"],
    ]


def test_attendance_report_as_excel(as_admin, school):
    sheet = read_xlsx(download(as_admin, "attendance", "xlsx"))
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "Student",
        "Level",
        "Lessons",
        "Present",
        "Absent",
        "Excused",
        "Attendance rate",
    ]
    assert rows[2] == ["Ann Smith", "GCSE", 4, 2, 1, 1, 0.5]
    assert all(cell.font.b for cell in sheet[1])
    assert sheet["G3"].number_format == "0.0%"
    assert sheet["C3"].number_format == "0"
    assert sheet["A2"].value.startswith("'=")
    assert sheet["A2"].data_type == "s"


def test_invoice_report_as_csv(as_admin, school):
    rows = read_csv(download(as_admin, "invoices", "csv"))
    assert rows == [
        ["Student", "Email", "Month", "Amount", "Status", "Issued", "Paid"],
        [
            '\'=HYPERLINK("http://evil") Jones',
            "'@ben@example.com",
            "2026-10-01",
            "25.50",
            "Paid",
            rows[1][5],
            "2026-11-02 09:30",
        ],
        ["Ann Smith", "", "2026-10-01", "1234.50", "Draft", rows[2][5], ""],
    ]


def test_invoice_report_as_excel(as_admin, school):
    sheet = read_xlsx(download(as_admin, "invoices", "xlsx"))
    assert [c.value for c in sheet[1]] == [
        "Student",
        "Email",
        "Month",
        "Amount",
        "Status",
        "Issued",
        "Paid",
    ]
    assert sheet.max_row == 3
    assert sheet["D3"].value == 1234.5
    assert sheet["D3"].number_format == "#,##0.00"
    assert sheet["C3"].value == datetime.datetime(2026, 10, 1)
    assert sheet["C3"].number_format == "yyyy-mm-dd"
    assert sheet["G2"].value == datetime.datetime(2026, 11, 2, 9, 30)
    assert sheet["B2"].value == "'@ben@example.com"
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_like_text_is_quoted(text):
    assert reports.safe_text(text) == f"'{text}"


@pytest.mark.parametrize("text", ["Ann", "", "O'Neil", "1+1", "a=b"])
def test_other_text_is_left_alone(text):
    assert reports.safe_text(text) == text


def test_reports_page_shows_both_tables_with_download_links(as_admin, school):
    response = as_admin.get(reverse("school:reports"), {"month": "2026-10"})
    content = response.content.decode()
    assert "Attendance October 2026" in content
    assert "Invoices October 2026" in content
    assert "50%" in content
    assert "1234.50" in content
    assert (
        f"{reverse('school:report-download', args=['invoices', 'xlsx'])}?month=2026-10" in content
    )


def test_a_bad_month_falls_back_to_this_month(as_admin, school):
    response = as_admin.get(reverse("school:reports"), {"month": "someday"})
    assert response.context["month"] == timezone.localdate().replace(day=1)
    assert response.context["form"].errors


@pytest.mark.parametrize(("name", "fmt"), [("salaries", "csv"), ("invoices", "pdf")])
def test_unknown_reports_and_formats_are_not_found(as_admin, name, fmt):
    assert as_admin.get(reverse("school:report-download", args=[name, fmt])).status_code == 404


def test_reports_are_for_admins_only(client, django_user_model, school):
    client.force_login(Tutor.objects.get().user)
    assert (
        client.get(reverse("school:report-download", args=["invoices", "csv"])).status_code == 403
    )
