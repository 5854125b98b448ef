"""The school's own contribution to the operations dashboard."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.http import HttpRequest
from django.utils.translation import gettext

from prodready.dashboard import DashboardCard
from prodready.plugins import hookimpl
from prodready.schedule import PeriodicTask
from school.figures import figures

CHART_HEIGHT = 40  # pixels of the tallest bar in the sign-ups chart


# The figures sum up invoices (revenue) and attendance: for admins who may see both.
FIGURES_PERMISSIONS = ("school.view_invoice", "school.view_attendance")


@hookimpl
def prodready_dashboard_cards(request: HttpRequest) -> list[DashboardCard]:
    cards = [figures_card()] if request.user.has_perms(FIGURES_PERMISSIONS) else []
    return [*cards, site_card()]


def figures_card() -> DashboardCard:
    today = figures()
    tallest = max(today.new_users_30_days) or 1
    bars = [
        {"x": day * 6, "height": round(count / tallest * CHART_HEIGHT), "count": count}
        for day, count in enumerate(today.new_users_30_days)
    ]
    return DashboardCard(
        title=gettext("School today"),
        template="school/dashboard/figures_card.html",
        context={"figures": today, "bars": bars, "chart_height": CHART_HEIGHT},
        order=20,
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
