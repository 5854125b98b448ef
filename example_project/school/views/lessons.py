"""Tutors' lessons and taking attendance; admins see every lesson and create and edit them."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from school.forms import AttendanceForm, LessonForm
from school.models import Attendance, Lesson
from school.permissions import (
    admin_required,
    can_take_attendance,
    sees_all_lessons,
    tutor_of,
    tutor_or_admin_required,
)

RECENT_DAYS = 14
LIST_LIMIT = 50


@tutor_or_admin_required
def lesson_list(request: HttpRequest) -> HttpResponse:
    lessons = Lesson.objects.select_related("subject", "level", "room", "tutor__user")
    if not sees_all_lessons(request.user):
        lessons = lessons.filter(tutor=tutor_of(request.user))
    now = timezone.now()
    context = {
        "upcoming": lessons.filter(starts_at__gte=now).order_by("starts_at")[:LIST_LIMIT],
        "recent": lessons.filter(
            starts_at__lt=now, starts_at__gte=now - datetime.timedelta(days=RECENT_DAYS)
        ).order_by("-starts_at")[:LIST_LIMIT],
        "recent_days": RECENT_DAYS,
        "all_tutors": sees_all_lessons(request.user),
    }
    return render(request, "school/lesson_list.html", context)


@tutor_or_admin_required
def lesson_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = get_object_or_404(
        Lesson.objects.select_related("subject", "level", "room", "tutor__user"), pk=pk
    )
    if not can_take_attendance(request.user, lesson):
        raise PermissionDenied(
            gettext("Only the lesson's tutor or an admin takes its attendance.")
        )
    attendances = list(lesson.attendance.select_related("student"))
    form = AttendanceForm(request.POST or None, attendances=attendances)
    if request.method == "POST":
        if lesson.status == Lesson.Status.CANCELLED:
            form.add_error(
                None, gettext("This lesson was cancelled; there is no attendance to take.")
            )
        if form.is_valid():
            save_attendance(lesson, form.marks())
            messages.success(
                request,
                ngettext(
                    "Attendance saved for {count} student.",
                    "Attendance saved for {count} students.",
                    len(attendances),
                ).format(count=len(attendances)),
            )
            return redirect("school:lesson-attendance", pk=lesson.pk)
    return render(request, "school/lesson_attendance.html", {"lesson": lesson, "form": form})


def save_attendance(lesson: Lesson, marks: dict[int, str]) -> None:
    """Store every mark and mark the lesson taught, all or nothing."""
    with transaction.atomic():
        rows = Attendance.objects.select_for_update().filter(lesson=lesson, pk__in=marks)
        for attendance in rows:
            attendance.status = marks[attendance.pk]
        Attendance.objects.bulk_update(rows, ["status"])
        if lesson.status != Lesson.Status.TAUGHT:
            lesson.status = Lesson.Status.TAUGHT
            lesson.save(update_fields=["status"])


@admin_required("school.add_lesson")
def lesson_create(request: HttpRequest) -> HttpResponse:
    return _lesson_form(request, Lesson())


@admin_required("school.change_lesson")
def lesson_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _lesson_form(request, get_object_or_404(Lesson, pk=pk))


def _lesson_form(request: HttpRequest, lesson: Lesson) -> HttpResponse:
    creating = lesson.pk is None
    form = LessonForm(request.POST or None, instance=lesson)
    if request.method == "POST" and form.is_valid():
        saved = save_lesson(form)
        if saved is not None:
            text = (
                gettext("Lesson {lesson} created.")
                if creating
                else gettext("Lesson {lesson} saved.")
            )
            messages.success(request, text.format(lesson=saved))
            return redirect("school:lesson-list")
    return render(
        request, "school/lesson_form.html", {"form": form, "lesson": lesson, "creating": creating}
    )


def save_lesson(form: LessonForm) -> Lesson | None:
    """Save a valid form unless a clashing lesson was saved meanwhile (then ``None``).

    The room's and tutor's rows are locked first, so two saves that would clash can't
    both pass the check.
    """
    with transaction.atomic():
        form.lock_bookings()
        form.check_bookings()
        if form.errors:
            return None
        return form.save()
