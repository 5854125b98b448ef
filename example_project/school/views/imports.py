"""Admins' bulk import of students from a CSV file."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from school import imports
from school.forms import StudentImportForm
from school.permissions import admin_required


@admin_required("school.add_student")
def student_import(request: HttpRequest) -> HttpResponse:
    form = StudentImportForm(request.POST or None, request.FILES or None)
    context = {
        "form": form,
        "columns": imports.COLUMNS,
        "max_rows": imports.MAX_ROWS,
        "max_mb": imports.MAX_BYTES // 1024 // 1024,
    }
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = imports.import_students(upload, upload.size)
        except imports.ImportRefused as refused:
            form.add_error("file", str(refused))
        else:
            context["result"] = result
            if not result.errors:
                # A fresh form: the page reports the import and offers another.
                context["form"] = StudentImportForm()
    return render(request, "school/student_import.html", context)
