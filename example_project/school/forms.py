"""The school's forms: attendance, lessons, invoices and their filters, uploads, months."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from django import forms
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy

from school.models import Attendance, Invoice, Lesson, Room, Tutor

MARKS = [
    (Attendance.Status.PRESENT, gettext_lazy("Present")),
    (Attendance.Status.ABSENT, gettext_lazy("Absent")),
    (Attendance.Status.EXCUSED, gettext_lazy("Excused")),
]


# Far enough back for any school's records and ahead for its plans, near enough that date
# arithmetic (a month's end, a lesson's end) never overflows Python's dates.
EARLIEST_YEAR = 2000
YEARS_AHEAD = 10
LONGEST_LESSON_MINUTES = 12 * 60


def check_year(day: datetime.date, what: Literal["month", "start"]) -> None:
    """A ValidationError unless ``day`` is in the years the school's pages handle."""
    latest = timezone.localdate().year + YEARS_AHEAD
    if not EARLIEST_YEAR <= day.year <= latest:
        message = (
            gettext("Enter a month between {earliest} and {latest}.")
            if what == "month"
            else gettext("Enter a start between {earliest} and {latest}.")
        )
        raise forms.ValidationError(
            message.format(earliest=EARLIEST_YEAR, latest=latest), code="out_of_range"
        )


class MonthField(forms.DateField):
    """A month as ``YYYY-MM`` (what ``<input type="month">`` sends): its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value: object) -> datetime.date | None:
        day = super().to_python(value)
        return day.replace(day=1) if day else None

    def validate(self, value: datetime.date | None) -> None:
        super().validate(value)
        if value is not None:
            check_year(value, "month")


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
                error_messages={
                    "required": gettext("Mark {student} present or absent.").format(
                        student=attendance.student
                    )
                },
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
    month = MonthField(label=gettext_lazy("Month"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("Any status")), *Invoice.Status.choices],
        required=False,
    )


class MonthForm(forms.Form):
    """The month of "create this month's invoices" and of the reports."""

    month = MonthField(
        label=gettext_lazy("Month"),
        error_messages={"invalid": gettext_lazy("Enter a month like 2026-09.")},
    )


class StudentImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "Columns: first_name,last_name,email,level,joined_on (dates as 2026-09-01)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


def overlapping(lessons: QuerySet[Lesson], start: datetime.datetime, minutes: int) -> list[Lesson]:
    """The lessons of ``lessons`` whose [start, start + minutes) meets the given one."""
    end = start + datetime.timedelta(minutes=minutes)
    longest = lessons.aggregate(longest=Max("minutes"))["longest"] or 0
    candidates = lessons.filter(
        starts_at__lt=end, starts_at__gt=start - datetime.timedelta(minutes=longest)
    ).select_related("subject", "level")
    return [
        lesson
        for lesson in candidates
        if lesson.starts_at + datetime.timedelta(minutes=lesson.minutes) > start
    ]


def describe(lesson: Lesson) -> str:
    """A lesson and its time, for error messages."""
    start = timezone.localtime(lesson.starts_at)
    end = start + datetime.timedelta(minutes=lesson.minutes)
    return gettext("{subject} ({level}) on {start}-{end}").format(
        subject=lesson.subject,
        level=lesson.level,
        start=date_format(start, "D d M Y, H:i"),
        end=date_format(end, "H:i"),
    )


class LessonForm(forms.ModelForm):
    """An admin's lesson: no room or tutor is booked twice at once (online rooms aside)."""

    class Meta:
        model = Lesson
        fields = [
            "subject",
            "level",
            "tutor",
            "room",
            "starts_at",
            "minutes",
            "price",
            "makeup_for",
            "makeup_expires_on",
        ]
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "makeup_expires_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        labels = {
            "subject": gettext_lazy("Subject"),
            "level": gettext_lazy("Level"),
            "tutor": gettext_lazy("Tutor"),
            "room": gettext_lazy("Room"),
            "starts_at": gettext_lazy("Starts at"),
            "minutes": gettext_lazy("Minutes"),
            "price": gettext_lazy("Price"),
            "makeup_for": gettext_lazy("Makeup for"),
            "makeup_expires_on": gettext_lazy("Makeup expires on"),
        }
        error_messages = {
            "minutes": {"min_value": gettext_lazy("A lesson lasts at least 15 minutes.")},
            "price": {"min_value": gettext_lazy("The price can't be negative.")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tutor"].queryset = Tutor.objects.select_related("user")
        makeups = Lesson.objects.filter(status=Lesson.Status.CANCELLED)
        if self.instance.pk:
            makeups = makeups.exclude(pk=self.instance.pk)
        self.fields["makeup_for"].queryset = makeups.select_related("subject", "level")

    def clean_starts_at(self) -> datetime.datetime | None:
        starts_at: datetime.datetime | None = self.cleaned_data.get("starts_at")
        if starts_at is not None:
            check_year(starts_at.date(), "start")
        return starts_at

    def clean_minutes(self) -> int | None:
        minutes: int | None = self.cleaned_data.get("minutes")
        if minutes is not None and minutes > LONGEST_LESSON_MINUTES:
            raise forms.ValidationError(
                gettext("A lesson lasts at most {minutes} minutes.").format(
                    minutes=LONGEST_LESSON_MINUTES
                ),
                code="max_value",
            )
        return minutes

    def clean_price(self) -> Decimal | None:
        price = self.cleaned_data.get("price")
        if price is not None and price < 0:
            raise forms.ValidationError(gettext("The price can't be negative."), code="min_value")
        return price

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        starts_at, expires = cleaned.get("starts_at"), cleaned.get("makeup_expires_on")
        if starts_at and expires and expires < timezone.localtime(starts_at).date():
            self.add_error(
                "makeup_expires_on",
                gettext("The make-up can't expire before the lesson ({day}).").format(
                    day=date_format(timezone.localtime(starts_at), "d M Y")
                ),
            )
        self.check_bookings()
        return cleaned

    def check_bookings(self) -> None:
        """Errors on ``room`` and ``tutor`` for lessons at the same time.

        Called by ``clean()``, and again by the view under locks just before saving.
        """
        room, tutor = self.cleaned_data.get("room"), self.cleaned_data.get("tutor")
        starts_at, minutes = self.cleaned_data.get("starts_at"), self.cleaned_data.get("minutes")
        if starts_at is None or not minutes or self.instance.status == Lesson.Status.CANCELLED:
            return
        others = Lesson.objects.exclude(status=Lesson.Status.CANCELLED)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if room is not None and not room.is_virtual:
            clashes = overlapping(others.filter(room=room), starts_at, minutes)
            if clashes:
                self.add_error(
                    "room",
                    gettext("{room} is booked then: {lesson}.").format(
                        room=room, lesson=describe(clashes[0])
                    ),
                )
        if tutor is not None:
            clashes = overlapping(others.filter(tutor=tutor), starts_at, minutes)
            if clashes:
                self.add_error(
                    "tutor",
                    gettext("{tutor} teaches then: {lesson}.").format(
                        tutor=tutor, lesson=describe(clashes[0])
                    ),
                )

    def lock_bookings(self) -> None:
        """Inside a transaction: hold the room, the tutor and the room's lessons of that day.

        Locking the room and tutor rows serialises every save that could clash with this
        one (even when the day has no lessons yet to lock); always room before tutor.
        """
        room, tutor = self.cleaned_data["room"], self.cleaned_data["tutor"]
        if not room.is_virtual:
            Room.objects.select_for_update().get(pk=room.pk)
            day = timezone.localtime(self.cleaned_data["starts_at"]).date()
            list(Lesson.objects.select_for_update().filter(room=room, starts_at__date=day))
        Tutor.objects.select_for_update().get(pk=tutor.pk)


class InvoiceForm(forms.ModelForm):
    """An admin's invoice: one per student and month, never a negative amount."""

    month = MonthField(
        label=gettext_lazy("Month"),
        help_text=gettext_lazy("The month invoiced."),
        error_messages={"invalid": gettext_lazy("Enter a month like 2026-09.")},
    )

    class Meta:
        model = Invoice
        fields = ["student", "month", "amount", "status"]
        labels = {
            "student": gettext_lazy("Student"),
            "amount": gettext_lazy("Amount"),
            "status": gettext_lazy("Status"),
        }
        error_messages = {"amount": {"min_value": gettext_lazy("The amount can't be negative.")}}

    def clean_amount(self) -> Decimal | None:
        amount = self.cleaned_data.get("amount")
        if amount is not None and amount < 0:
            raise forms.ValidationError(gettext("The amount can't be negative."), code="min_value")
        return amount

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.check_duplicate()
        return cleaned

    def check_duplicate(self) -> None:
        student, month = self.cleaned_data.get("student"), self.cleaned_data.get("month")
        if student is None or month is None:
            return
        existing = Invoice.objects.filter(student=student, month=month)
        if self.instance.pk:
            existing = existing.exclude(pk=self.instance.pk)
        invoice = existing.first()
        if invoice is not None:
            self.add_error(
                "month",
                gettext(
                    "{student} already has an invoice for {month} "
                    "(invoice #{number}, {amount}, {status})."
                ).format(
                    student=student,
                    month=date_format(month, "F Y"),
                    number=invoice.pk,
                    amount=invoice.amount,
                    status=invoice.get_status_display(),
                ),
            )

    def save(self, commit: bool = True) -> Invoice:
        invoice = self.instance
        if invoice.status == Invoice.Status.PAID and invoice.paid_at is None:
            invoice.paid_at = timezone.now()
        elif invoice.status != Invoice.Status.PAID:
            invoice.paid_at = None
        return super().save(commit=commit)
