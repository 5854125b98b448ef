"""Bulk import of students from CSV: all rows saved, or none and every error shown."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from prodready_security.testing import force_login_verified
from school import imports
from school.models import Level, Student
from tests.roles import school_admin

pytestmark = pytest.mark.django_db

URL = "/school/students/import/"
HEADER = "first_name,last_name,email,level,joined_on\n"


@pytest.fixture(autouse=True)
def levels():
    return [Level.objects.create(name=name) for name in ("Primary", "GCSE")]


@pytest.fixture
def as_admin(client):
    force_login_verified(client, school_admin())
    return client


def upload(client, text, encoding="utf-8"):
    data = text.encode(encoding) if isinstance(text, str) else text
    return client.post(URL, {"file": SimpleUploadedFile("students.csv", data, "text/csv")})


def test_the_url_name():
    assert reverse("school:student-import") == URL


def test_a_valid_file_creates_every_student(as_admin):
    response = upload(
        as_admin,
        HEADER
        + "Ann,Smith,ann@example.com,Primary,2026-09-01\n"
        + "Ben,Jones,,gcse,2026-09-02\n"
        + '"Cé","O\'Neil",ce@example.com,GCSE,2026-10-01\n'
        + "\n",
    )
    assert response.status_code == 200
    assert b"Imported 3 students." in response.content
    assert Student.objects.count() == 3
    ben = Student.objects.get(first_name="Ben")
    assert ben.level.name == "GCSE"
    assert ben.email == ""
    assert ben.joined_on == datetime.date(2026, 9, 2)
    assert Student.objects.filter(last_name="O'Neil").exists()


def test_columns_may_come_in_any_order_with_a_byte_order_mark(as_admin):
    text = (
        "\ufeffEmail,Level,Joined_On,First_Name,Last_Name\n"
        "ann@example.com,GCSE,2026-09-01,Ann,Smith\n"
    )
    upload(as_admin, text)
    assert Student.objects.get().first_name == "Ann"


def test_one_bad_row_saves_nothing_and_shows_its_error(as_admin):
    response = upload(
        as_admin,
        HEADER
        + "Ann,Smith,ann@example.com,Primary,2026-09-01\n"
        + "Ben,Jones,ben@example.com,University,2026-09-01\n"
        + "Cat,Brown,cat@example.com,GCSE,2026-09-01\n",
    )
    assert Student.objects.count() == 0
    errors = response.context["result"].errors
    assert [(e.row, e.column) for e in errors] == [(3, "level")]
    assert "No level named “University”" in errors[0].message
    content = response.content.decode()
    assert "Nothing was imported: 1 problem" in content
    assert '<td class="number">3</td><td>level</td>' in content


def test_every_problem_of_every_row_is_reported(as_admin):
    Student.objects.create(
        first_name="Old", last_name="Timer", email="old@example.com",
        level=Level.objects.get(name="GCSE"), joined_on=datetime.date(2025, 1, 1),
    )  # fmt: skip
    response = upload(
        as_admin,
        HEADER
        + ",Smith,not-an-email,Primary,01/09/2026\n"  # row 2
        + "Ben,Jones,Old@Example.com,GCSE,2026-09-01\n"  # row 3
        + "Cat,Brown,cat@example.com,GCSE,2026-09-01\n"  # row 4
        + "Kit,Brown,CAT@example.com,GCSE,2026-09-01\n"  # row 5
        + "Dan,Lee,dan@example.com,GCSE,2026-02-30\n"  # row 6
        + "Eve,Lee,eve@example.com,GCSE,2026-09-01,surplus\n"  # row 7
        + "Fay,Lee\n",  # row 8
    )
    errors = {(e.row, e.column): e.message for e in response.context["result"].errors}
    assert errors == {
        (2, "first_name"): "This field is required.",
        (2, "email"): "Enter a valid email address.",
        (2, "joined_on"): "Enter the date as YYYY-MM-DD, like 2026-09-01.",
        (3, "email"): "A student with this email exists.",
        (5, "email"): "The same email is on row 4.",
        (6, "joined_on"): "Enter the date as YYYY-MM-DD, like 2026-09-01.",
        (7, imports.OVERFLOW): "The row has more values than the 5 columns.",
        (8, "level"): "This field is required.",
        (8, "joined_on"): "This field is required.",
    }
    assert Student.objects.count() == 1


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            "first_name,last_name,level,joined_on",
            "The header row must be first_name,last_name,email,level,joined_on; "
            "found missing column(s): email.",
        ),
        (
            "first_name,last_name,email,level,joined_on,phone",
            "found unexpected column(s): phone.",
        ),
        ("first_name,last_name,email,level,joined_on,first_name", "a column is named twice"),
    ],
)
def test_missing_or_extra_columns_are_refused(as_admin, header, message):
    response = upload(as_admin, f"{header}\nAnn,Smith,ann@example.com,GCSE,2026-09-01\n")
    assert message in "".join(response.context["form"].errors["file"])
    assert Student.objects.count() == 0


def test_a_file_that_is_not_utf8_is_refused(as_admin):
    response = upload(as_admin, HEADER + "Zoë,Brontë,,GCSE,2026-09-01\n", encoding="latin-1")
    assert "not UTF-8" in response.context["form"].errors["file"][0]
    assert Student.objects.count() == 0


def test_an_empty_file_is_refused(as_admin):
    response = upload(as_admin, b"")
    assert response.context["form"].errors["file"]
    assert Student.objects.count() == 0


def test_an_oversize_file_is_refused(as_admin):
    row = "Ann,Smith,,GCSE,2026-09-01\n"
    response = upload(as_admin, HEADER + row * (imports.MAX_BYTES // len(row) + 1))
    assert "the limit is 1 MB" in response.context["form"].errors["file"][0]
    assert Student.objects.count() == 0


def test_too_many_rows_are_refused(as_admin, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    response = upload(as_admin, HEADER + "Ann,Smith,,GCSE,2026-09-01\n" * 4)
    assert "more than 3 students" in response.context["form"].errors["file"][0]
    assert Student.objects.count() == 0


def test_the_row_limit_is_five_thousand_and_a_full_file_imports(as_admin):
    assert imports.MAX_ROWS == 5000
    response = upload(as_admin, HEADER + "Ann,Smith,,GCSE,2026-09-01\n" * imports.MAX_ROWS)
    assert b"Imported 5000 students." in response.content
    assert Student.objects.count() == 5000


def test_a_failure_while_saving_saves_nothing(as_admin, monkeypatch):
    def bulk_create_then_fail(objs, *args, **kwargs):
        Student.objects.create(
            **{f: getattr(objs[0], f) for f in ["first_name", "last_name", "level", "joined_on"]}
        )
        raise RuntimeError("database went away")

    monkeypatch.setattr(Student.objects, "bulk_create", bulk_create_then_fail)
    with pytest.raises(RuntimeError):
        upload(as_admin, HEADER + "Ann,Smith,,GCSE,2026-09-01\n")
    assert Student.objects.count() == 0


def test_tutors_cannot_import(client, django_user_model):
    from school.models import Tutor

    user = django_user_model.objects.create_user("tutor")
    Tutor.objects.create(user=user, hourly_rate=10)
    client.force_login(user)
    assert upload(client, HEADER + "Ann,Smith,,GCSE,2026-09-01\n").status_code == 403
    assert Student.objects.count() == 0
