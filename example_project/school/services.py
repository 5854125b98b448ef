"""The school's scheduled work, as plain functions; ``school.tasks`` runs them on Celery."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from school.models import Attendance, Invoice, Lesson, Student


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def create_monthly_invoices(month: datetime.date | None = None) -> int:
    """Invoice every active student for the month's lessons; returns how many were new.

    Lessons that are not cancelled are charged unless the absence was excused. A
    student invoiced already for the month is left alone, so a retried or repeated
    run creates no duplicates.
    """
    month = month_start(month or timezone.localdate())
    following = month_start(month + datetime.timedelta(days=32))
    created = 0
    students = Student.objects.filter(active=True).exclude(invoices__month=month)
    for student in students:
        charged = (
            Attendance.objects.filter(
                student=student,
                lesson__starts_at__date__gte=month,
                lesson__starts_at__date__lt=following,
            )
            .exclude(lesson__status=Lesson.Status.CANCELLED)
            .exclude(status=Attendance.Status.EXCUSED)
            .aggregate(total=Sum("lesson__price"))["total"]
        )
        if not charged:
            continue
        with transaction.atomic():
            _, new = Invoice.objects.get_or_create(
                student=student, month=month, defaults={"amount": Decimal(charged)}
            )
        created += new
    return created


def send_lesson_reminders(day: datetime.date | None = None) -> int:
    """Email each student with an address about their lessons of ``day`` (tomorrow)."""
    day = day or timezone.localdate() + datetime.timedelta(days=1)
    attendances = (
        Attendance.objects.filter(lesson__starts_at__date=day, student__active=True)
        .exclude(lesson__status=Lesson.Status.CANCELLED)
        .exclude(student__email="")
        .select_related("lesson__subject", "lesson__room", "lesson__tutor__user", "student")
    )
    sent = 0
    for attendance in attendances:
        context = {"student": attendance.student, "lesson": attendance.lesson}
        send_mail(
            subject=gettext("Reminder: {subject} on {day}").format(
                subject=attendance.lesson.subject, day=date_format(day, "l d F")
            ),
            message=render_to_string("school/email/lesson_reminder.txt", context),
            from_email=None,
            recipient_list=[attendance.student.email],
        )
        sent += 1
    return sent


def expire_makeup_lessons(today: datetime.date | None = None) -> int:
    """Cancel make-up lessons still scheduled after their expiry date."""
    today = today or timezone.localdate()
    return Lesson.objects.filter(
        status=Lesson.Status.SCHEDULED, makeup_expires_on__lt=today
    ).update(status=Lesson.Status.CANCELLED)
