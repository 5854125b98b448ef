"""Bulk import of students from CSV: every row is checked, then all are saved or none.

The file's first line names the columns :data:`COLUMNS` (in any order). Row numbers in
errors are the file's line numbers, the header being row 1, as a spreadsheet shows them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import IO, Any

from django import forms
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext, gettext_lazy

from school.models import Level, Student

COLUMNS = ("first_name", "last_name", "email", "level", "joined_on")
MAX_BYTES = 1024 * 1024
MAX_ROWS = 5000
OVERFLOW = "(extra values)"  # the pseudo-column of values beyond the header


class ImportRefused(Exception):
    """The file as a whole cannot be read: too big, wrong encoding or wrong columns."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    students: list[Student] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


class StudentRow(forms.Form):
    """One CSV row; the level is looked up by name among ``levels``."""

    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(required=False, max_length=254)
    level = forms.CharField()
    joined_on = forms.DateField(
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": gettext_lazy("Enter the date as YYYY-MM-DD, like 2026-09-01.")},
    )

    def __init__(self, data: dict[str, str], levels: dict[str, Level]) -> None:
        super().__init__(data)
        self.levels = levels

    def clean_level(self) -> Level:
        name = self.cleaned_data["level"]
        level = self.levels.get(name.casefold())
        if level is None:
            known = ", ".join(sorted(lv.name for lv in self.levels.values())) or gettext(
                "none yet"
            )
            raise forms.ValidationError(
                gettext("No level named “{name}”. Known levels: {known}.").format(
                    name=name, known=known
                )
            )
        return level


def read_rows(upload: IO[bytes], size: int) -> list[tuple[int, dict[str, str]]]:
    """The file's data rows with their row numbers; :exc:`ImportRefused` if unreadable."""
    if size > MAX_BYTES:
        raise ImportRefused(
            gettext(
                "The file is {size} MB; the limit is {limit} MB. Split it into smaller files."
            ).format(size=f"{size / 1024 / 1024:.1f}", limit=MAX_BYTES // 1024 // 1024)
        )
    raw = upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ImportRefused(
            gettext("The file is over the {limit} MB limit.").format(
                limit=MAX_BYTES // 1024 // 1024
            )
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(
            gettext("The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8”.")
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRefused(gettext("The file is empty.")) from None
    except csv.Error as error:
        raise ImportRefused(
            gettext("The file is not valid CSV: {error}.").format(error=error)
        ) from None
    header = [name.strip().lower() for name in header]
    missing = [name for name in COLUMNS if name not in header]
    extra = [name for name in header if name not in COLUMNS]
    problems = []
    if missing:
        problems.append(gettext("missing column(s): {names}").format(names=", ".join(missing)))
    if extra:
        names = ", ".join(n or gettext("(blank)") for n in extra)
        problems.append(gettext("unexpected column(s): {names}").format(names=names))
    if len(set(header)) != len(header) and not extra:
        problems.append(gettext("a column is named twice"))
    if problems:
        raise ImportRefused(
            gettext("The header row must be {columns}; found {problems}.").format(
                columns=",".join(COLUMNS), problems="; ".join(problems)
            )
        )
    rows = []
    try:
        for values in reader:
            if not any(value.strip() for value in values):
                continue  # blank lines, as spreadsheets often leave at the end
            if len(rows) >= MAX_ROWS:
                raise ImportRefused(
                    gettext(
                        "The file has more than {count} students; split it into smaller files."
                    ).format(count=MAX_ROWS)
                )
            data = dict(zip(header, [*values, *[""] * (len(header) - len(values))], strict=False))
            if len(values) > len(header):
                data[OVERFLOW] = "yes"
            rows.append((reader.line_num, data))
    except csv.Error as error:
        raise ImportRefused(
            gettext("Row {row} is not valid CSV: {error}.").format(
                row=reader.line_num, error=error
            )
        ) from None
    return rows


def validate(rows: list[tuple[int, dict[str, str]]]) -> ImportResult:
    """Check every row; the result holds unsaved students or every error found."""
    result = ImportResult()
    levels = {level.name.casefold(): level for level in Level.objects.all()}
    checked: list[tuple[int, dict[str, Any]]] = []
    for number, data in rows:
        if OVERFLOW in data:
            message = gettext("The row has more values than the {count} columns.").format(
                count=len(COLUMNS)
            )
            result.errors.append(RowError(number, OVERFLOW, message))
            continue
        form = StudentRow({key: value.strip() for key, value in data.items()}, levels)
        if not form.is_valid():
            for column in COLUMNS:
                for message in form.errors.get(column, []):
                    result.errors.append(RowError(number, column, message))
            continue
        checked.append((number, form.cleaned_data))
    # Only emails the form accepted reach the database (PostgreSQL refuses a NUL in one).
    emails = {cleaned["email"].lower() for _, cleaned in checked if cleaned["email"]}
    taken = set(
        Student.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails)
        .values_list("email_lower", flat=True)
    )
    seen: dict[str, int] = {}
    for number, cleaned in checked:
        email = cleaned["email"].lower()
        if email and email in taken:
            result.errors.append(
                RowError(number, "email", gettext("A student with this email exists."))
            )
            continue
        if email and email in seen:
            result.errors.append(
                RowError(
                    number,
                    "email",
                    gettext("The same email is on row {row}.").format(row=seen[email]),
                )
            )
            continue
        if email:
            seen[email] = number
        result.students.append(Student(**cleaned))
    result.errors.sort(key=lambda error: error.row)  # in the file's order, as read
    return result


def import_students(upload: IO[bytes], size: int) -> ImportResult:
    """Validate the CSV; save all its students in one transaction only if none has errors."""
    result = validate(read_rows(upload, size))
    if not result.errors:
        with transaction.atomic():
            result.students = Student.objects.bulk_create(result.students)
    return result
