"""The school's pages: ``path("school/", include("school.urls"))``."""

from django.urls import path

from school.views import imports, invoices, lessons, reports

app_name = "school"

urlpatterns = [
    path("lessons/", lessons.lesson_list, name="lesson-list"),
    path("lessons/<int:pk>/", lessons.lesson_attendance, name="lesson-attendance"),
    path("lessons/new/", lessons.lesson_create, name="lesson-create"),
    path("lessons/<int:pk>/edit/", lessons.lesson_edit, name="lesson-edit"),
    path("invoices/", invoices.invoice_list, name="invoice-list"),
    path("invoices/create/", invoices.invoice_create_month, name="invoice-create-month"),
    path("invoices/new/", invoices.invoice_create, name="invoice-create"),
    path("invoices/<int:pk>/edit/", invoices.invoice_edit, name="invoice-edit"),
    path("invoices/<int:pk>/paid/", invoices.invoice_mark_paid, name="invoice-mark-paid"),
    path("students/import/", imports.student_import, name="student-import"),
    path("reports/", reports.report_index, name="reports"),
    path("reports/<slug:name>.<slug:fmt>", reports.report_download, name="report-download"),
]
