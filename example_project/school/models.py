"""The tutoring school: what is taught, where, by whom, to whom, and what it costs.

Roles: ADMIN is a staff user; a TUTOR and a STUDENT are users with a ``Tutor`` or
``Student`` profile. Students can exist without a login (children whose parents pay).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy


class Subject(models.Model):
    name = models.CharField(max_length=80, unique=True)
    colour = models.CharField(
        max_length=7,
        default="#4f46e5",
        validators=[
            RegexValidator(r"^#[0-9a-fA-F]{6}$", gettext_lazy("Use a colour like #4f46e5."))
        ],
        help_text=gettext_lazy("Shown on the timetable and in charts."),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Level(models.Model):
    """An education level (primary, secondary, A-level, ...), in teaching order."""

    name = models.CharField(max_length=80, unique=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    name = models.CharField(max_length=80, unique=True)
    capacity = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    is_virtual = models.BooleanField(
        default=False, help_text=gettext_lazy("An online room: lessons there have a meeting link.")
    )
    meeting_url = models.URLField(blank=True)

    class Meta:
        ordering = ["is_virtual", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_virtual=True) | Q(meeting_url=""),
                name="school_room_meeting_url_only_when_virtual",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Tutor(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tutor"
    )
    subjects = models.ManyToManyField(Subject, related_name="tutors", blank=True)
    hourly_rate = models.DecimalField(
        max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class Student(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="student",
    )
    first_name = models.CharField(max_length=150)
    last_name = models.CharField(max_length=150)
    email = models.EmailField(blank=True)
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="students")
    active = models.BooleanField(default=True)
    joined_on = models.DateField()

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Lesson(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", gettext_lazy("Scheduled")
        TAUGHT = "taught", gettext_lazy("Taught")
        CANCELLED = "cancelled", gettext_lazy("Cancelled")

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="lessons")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="lessons")
    tutor = models.ForeignKey(Tutor, on_delete=models.PROTECT, related_name="lessons")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="lessons")
    starts_at = models.DateTimeField(db_index=True)
    minutes = models.PositiveSmallIntegerField(default=60, validators=[MinValueValidator(15)])
    price = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
        help_text=gettext_lazy("What each attending student is invoiced."),
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.SCHEDULED)
    students = models.ManyToManyField(Student, through="Attendance", related_name="lessons")
    makeup_for = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="makeups",
        help_text=gettext_lazy("The cancelled lesson this one makes up for."),
    )
    makeup_expires_on = models.DateField(
        null=True,
        blank=True,
        help_text=gettext_lazy("A make-up lesson not taught by then is cancelled."),
    )

    class Meta:
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"{self.subject} ({self.level}) {self.starts_at:%Y-%m-%d %H:%M}"


class Attendance(models.Model):
    class Status(models.TextChoices):
        EXPECTED = "expected", gettext_lazy("Expected")
        PRESENT = "present", gettext_lazy("Present")
        ABSENT = "absent", gettext_lazy("Absent")
        EXCUSED = "excused", gettext_lazy("Excused")

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="attendance")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(max_length=10, choices=Status, default=Status.EXPECTED)

    class Meta:
        ordering = ["lesson__starts_at", "student"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "student"], name="school_one_attendance")
        ]

    def __str__(self) -> str:
        return f"{self.student} at {self.lesson}: {self.get_status_display()}"


class Invoice(models.Model):
    """One student's lessons of one month. Audited: money changes leave a trail."""

    class Status(models.TextChoices):
        DRAFT = "draft", gettext_lazy("Draft")
        SENT = "sent", gettext_lazy("Sent")
        PAID = "paid", gettext_lazy("Paid")
        VOID = "void", gettext_lazy("Void")

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="invoices")
    month = models.DateField(help_text=gettext_lazy("The first day of the month invoiced."))
    amount = models.DecimalField(
        max_digits=9, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    status = models.CharField(max_length=5, choices=Status, default=Status.DRAFT)
    issued_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month", "student"]
        constraints = [
            models.UniqueConstraint(fields=["student", "month"], name="school_one_invoice"),
            models.CheckConstraint(condition=Q(month__day=1), name="school_invoice_month_start"),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.month:%Y-%m}"
