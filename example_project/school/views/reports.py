"""Admins' monthly reports, on a page and as CSV or Excel downloads."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext

from school import reports
from school.forms import MonthForm
from school.permissions import admin_required

REPORTS: dict[str, Callable[[datetime.date], reports.Table]] = {
    "attendance": reports.attendance_report,
    "invoices": reports.invoice_report,
}
# Each report shows what this permission lets an admin see.
REPORT_PERMISSIONS = {"attendance": "school.view_attendance", "invoices": "school.view_invoice"}
FORMATS = {
    "csv": ("text/csv; charset=utf-8", reports.to_csv),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        reports.to_xlsx,
    ),
}


def _month(request: HttpRequest) -> tuple[MonthForm, datetime.date]:
    """The month asked for, or this month when none or a bad one is given."""
    form = MonthForm(request.GET or {"month": f"{timezone.localdate():%Y-%m}"})
    if form.is_valid():
        return form, form.cleaned_data["month"]
    return form, timezone.localdate().replace(day=1)


@admin_required(*REPORT_PERMISSIONS.values())
def report_index(request: HttpRequest) -> HttpResponse:
    form, month = _month(request)
    context = {
        "form": form,
        "month": month,
        "tables": [(name, build(month)) for name, build in REPORTS.items()],
        "formats": list(FORMATS),
    }
    return render(request, "school/reports.html", context)


@admin_required()
def report_download(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    if name not in REPORTS or fmt not in FORMATS:
        raise Http404(gettext("No such report."))
    if not request.user.has_perm(REPORT_PERMISSIONS[name]):
        raise PermissionDenied(
            gettext("This report is for admins allowed to: {permission}.").format(
                permission=REPORT_PERMISSIONS[name]
            )
        )
    _, month = _month(request)
    table = REPORTS[name](month)
    content_type, render_file = FORMATS[fmt]
    response = HttpResponse(render_file(table), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{table.filename}.{fmt}"'
    return response
