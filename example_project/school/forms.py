"""The school's forms: attendance, invoice filters and actions, uploads, report months."""

from __future__ import annotations

import datetime

from django import forms

from school.models import Attendance, Invoice

MARKS = [
    (Attendance.Status.PRESENT, "Present"),
    (Attendance.Status.ABSENT, "Absent"),
    (Attendance.Status.EXCUSED, "Excused"),
]


class MonthField(forms.DateField):
    """A month as ``YYYY-MM`` (what ``<input type="month">`` sends): its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value: object) -> datetime.date | None:
        day = super().to_python(value)
        return day.replace(day=1) if day else None


class AttendanceForm(forms.Form):
    """One present/absent/excused choice per student of a lesson, submitted together."""

    def __init__(self, *args: object, attendances: list[Attendance], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.attendances = attendances
        for attendance in attendances:
            initial = attendance.status if attendance.status in dict(MARKS) else None
            self.fields[self.field_name(attendance)] = forms.ChoiceField(
                label=str(attendance.student),
                choices=MARKS,
                initial=initial,
                widget=forms.RadioSelect,
                error_messages={"required": f"Mark {attendance.student} present or absent."},
            )

    @staticmethod
    def field_name(attendance: Attendance) -> str:
        return f"attendance_{attendance.pk}"

    def rows(self) -> list[tuple[Attendance, forms.BoundField]]:
        return [(a, self[self.field_name(a)]) for a in self.attendances]

    def marks(self) -> dict[int, str]:
        """Attendance id to the status chosen; call after ``is_valid()``."""
        return {a.pk: self.cleaned_data[self.field_name(a)] for a in self.attendances}


class InvoiceFilterForm(forms.Form):
    month = MonthField(required=False)
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Invoice.Status.choices], required=False
    )


class MonthForm(forms.Form):
    """The month of "create this month's invoices" and of the reports."""

    month = MonthField(error_messages={"invalid": "Enter a month like 2026-09."})


class StudentImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: first_name,last_name,email,level,joined_on (dates as 2026-09-01).",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
