"""The school's own contribution to the operations dashboard."""

from __future__ import annotations

import datetime
from datetime import UTC

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from prodready.dashboard import Chart, DashboardCard, Series
from prodready.plugins import hookimpl
from prodready.schedule import PeriodicTask
from school.figures import figures

# The figures sum up invoices (revenue) and attendance: for admins who may see both.
FIGURES_PERMISSIONS = ("school.view_invoice", "school.view_attendance")


@hookimpl
def prodready_dashboard_cards(request: HttpRequest) -> list[DashboardCard]:
    cards = [figures_card()] if request.user.has_perms(FIGURES_PERMISSIONS) else []
    return [*cards, site_card()]


def figures_card() -> DashboardCard:
    today = figures()
    return DashboardCard(
        title=gettext("School today"),
        template="school/dashboard/figures_card.html",
        context={"figures": today, "sign_ups": sign_ups_chart(today.new_users_30_days)},
        order=20,
    )


def sign_ups_chart(per_day: list[int]) -> Chart:
    """Bars of new users per day, oldest first, ending today (the site's time zone)."""
    last = timezone.localdate()
    first = last - datetime.timedelta(days=len(per_day) - 1)
    # Each bar at its day's midnight UTC, so the axis (shown in UTC) names that day.
    days = [
        datetime.datetime.combine(first + datetime.timedelta(days=n), datetime.time(), UTC)
        for n in range(len(per_day))
    ]
    return Chart(
        title=gettext("New users, last 30 days"),
        x=[day.timestamp() for day in days],
        series=[Series(gettext("New users"), per_day)],
        y_label=gettext("sign-ups per day"),
        x_label=gettext("Day"),
        kind="bars",
        empty=gettext(
            "New users per day will appear here once people sign up or staff add accounts."
        ),
    )


def site_card() -> DashboardCard:
    users = get_user_model()._default_manager
    cache_backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    return DashboardCard(
        title=gettext("School site"),
        template="school/dashboard/site_card.html",
        context={
            "settings_module": settings.SETTINGS_MODULE,
            "database": connection.vendor,
            "cache": cache_backend,
            "debug": settings.DEBUG,
            "users": users.count(),
            "staff": users.filter(is_staff=True).count(),
        },
        status="warning" if settings.DEBUG else "info",
        order=50,
    )


@hookimpl
def prodready_periodic_tasks() -> list[PeriodicTask]:
    return [
        PeriodicTask(
            "school.create_monthly_invoices", "school.create_monthly_invoices", "0 6 25 * *"
        ),
        PeriodicTask("school.send_lesson_reminders", "school.send_lesson_reminders", "0 17 * * *"),
        PeriodicTask("school.expire_makeup_lessons", "school.expire_makeup_lessons", "15 0 * * *"),
    ]
