"""The school's key figures for the dashboard, computed in a few queries and cached."""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from school.models import Attendance, Invoice, Lesson, Student, Tutor

CACHE_KEY = "school:figures"
CACHE_SECONDS = 60  # a dashboard a minute behind is fine; the queries scan whole tables


@dataclass(frozen=True)
class Figures:
    active_students: int
    active_tutors: int
    lessons_today: int
    revenue_this_month: Decimal
    attendance_rate: float | None  # share of marked attendances that were present
    new_users_30_days: list[int]  # sign-ups per day, oldest first


def figures() -> Figures:
    cached: dict[str, Any] | None = cache.get(CACHE_KEY)
    if cached is None:
        cached = asdict(compute())
        cache.set(CACHE_KEY, cached, CACHE_SECONDS)
    return Figures(**cached)


def compute(now: datetime.datetime | None = None) -> Figures:
    now = timezone.localtime(now)
    today = now.date()
    marked = Attendance.objects.exclude(status=Attendance.Status.EXPECTED).aggregate(
        total=Count("id"), present=Count("id", filter=Q(status=Attendance.Status.PRESENT))
    )
    revenue = (
        Invoice.objects.filter(month=today.replace(day=1))
        .exclude(status=Invoice.Status.VOID)
        .aggregate(total=Sum("amount"))["total"]
    )
    return Figures(
        active_students=Student.objects.filter(active=True).count(),
        active_tutors=Tutor.objects.filter(active=True).count(),
        lessons_today=Lesson.objects.filter(starts_at__date=today)
        .exclude(status=Lesson.Status.CANCELLED)
        .count(),
        revenue_this_month=revenue or Decimal("0.00"),
        attendance_rate=marked["present"] / marked["total"] if marked["total"] else None,
        new_users_30_days=sign_ups_per_day(today, days=30),
    )


def sign_ups_per_day(today: datetime.date, days: int) -> list[int]:
    first = today - datetime.timedelta(days=days - 1)
    joined = get_user_model()._default_manager.filter(date_joined__date__gte=first)
    per_day = joined.values(day=TruncDate("date_joined")).annotate(n=Count("pk"))
    counts = {row["day"]: row["n"] for row in per_day}
    return [counts.get(first + datetime.timedelta(days=offset), 0) for offset in range(days)]
