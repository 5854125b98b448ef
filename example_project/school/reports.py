"""Monthly reports as tables, and those tables as CSV or Excel files.

A :class:`Table` has typed columns, so the Excel file gets real numbers, percentages
and dates. Text cells starting like a formula are neutralised in both formats
(CSV formula injection: OWASP's advice is to prefix them with a quote).
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from school.models import Attendance, Invoice, Lesson, Student
from school.services import month_start

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_FORMATS = {
    "int": "0",
    "money": "#,##0.00",
    "percent": "0.0%",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "text"  # text, int, money, percent, date or datetime


@dataclass
class Table:
    title: str
    filename: str
    columns: list[Column]
    rows: list[list[Any]]

    def cells(self) -> list[list[tuple[Any, Column]]]:
        """Each row's values paired with their columns, for templates."""
        return [list(zip(row, self.columns, strict=True)) for row in self.rows]


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    start = month_start(month)
    return start, month_start(start + datetime.timedelta(days=32))


def attendance_report(month: datetime.date) -> Table:
    """Per student, the month's lessons (not cancelled) and how they were marked."""
    start, end = month_bounds(month)
    in_month = Q(
        attendance__lesson__starts_at__date__gte=start,
        attendance__lesson__starts_at__date__lt=end,
    ) & ~Q(attendance__lesson__status=Lesson.Status.CANCELLED)

    def counted(status: str | None = None) -> Count:
        condition = in_month & Q(attendance__status=status) if status else in_month
        return Count("attendance", filter=condition)

    students = (
        Student.objects.annotate(
            lesson_count=counted(),
            present=counted(Attendance.Status.PRESENT),
            absent=counted(Attendance.Status.ABSENT),
            excused=counted(Attendance.Status.EXCUSED),
        )
        .filter(lesson_count__gt=0)
        .order_by("last_name", "first_name", "pk")
        .select_related("level")
    )
    rows = []
    for student in students:
        marked = student.present + student.absent + student.excused
        rate = student.present / marked if marked else None
        rows.append(
            [
                str(student),
                student.level.name,
                student.lesson_count,
                student.present,
                student.absent,
                student.excused,
                rate,
            ]
        )
    return Table(
        title=gettext("Attendance {month}").format(month=date_format(start, "F Y")),
        filename=f"attendance-{start:%Y-%m}",
        columns=[
            Column(gettext("Student")),
            Column(gettext("Level")),
            Column(gettext("Lessons"), "int"),
            Column(gettext("Present"), "int"),
            Column(gettext("Absent"), "int"),
            Column(gettext("Excused"), "int"),
            Column(gettext("Attendance rate"), "percent"),
        ],
        rows=rows,
    )


def invoice_report(month: datetime.date) -> Table:
    """The month's invoices, one row each."""
    start = month_start(month)
    invoices = Invoice.objects.filter(month=start).select_related("student")
    rows = [
        [
            str(invoice.student),
            invoice.student.email,
            invoice.month,
            invoice.amount,
            invoice.get_status_display(),
            _local(invoice.issued_at),
            _local(invoice.paid_at),
        ]
        for invoice in invoices.order_by("student__last_name", "student__first_name")
    ]
    return Table(
        title=gettext("Invoices {month}").format(month=date_format(start, "F Y")),
        filename=f"invoices-{start:%Y-%m}",
        columns=[
            Column(gettext("Student")),
            Column(gettext("Email")),
            Column(gettext("Month"), "date"),
            Column(gettext("Amount"), "money"),
            Column(gettext("Status")),
            Column(gettext("Issued"), "datetime"),
            Column(gettext("Paid"), "datetime"),
        ],
        rows=rows,
    )


def _local(moment: datetime.datetime | None) -> datetime.datetime | None:
    """Local time without a zone: Excel has no time zones, the school has one."""
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0) if moment else None


def safe_text(value: str) -> str:
    """``value``, quoted if a spreadsheet would run it as a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _csv_cell(value: Any, column: Column) -> str:
    if value is None:
        return ""
    if column.kind == "percent":
        return f"{value * 100:.1f}%"
    if column.kind == "money":
        return f"{Decimal(value):.2f}"
    if isinstance(value, datetime.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return safe_text(str(value))


def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens accents correctly."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([safe_text(column.title) for column in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(v, c) for v, c in zip(row, table.columns, strict=True)])
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.filename[:31]
    sheet.append([column.title for column in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in table.rows:
        sheet.append([safe_text(value) if isinstance(value, str) else value for value in row])
    for index, column in enumerate(table.columns, start=1):
        letter = get_column_letter(index)
        number_format = EXCEL_FORMATS.get(column.kind)
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
        widest = max([len(column.title), *(len(str(r[index - 1] or "")) for r in table.rows)])
        sheet.column_dimensions[letter].width = min(widest + 2, 50)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
