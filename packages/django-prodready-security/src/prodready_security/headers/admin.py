"""A read-only admin of CSP violation reports (they are evidence, not data to edit)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from prodready_security.headers.models import CSPReport


@admin.register(CSPReport)
class CSPReportAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["received_at", "directive", "blocked_uri", "document_uri", "client_address"]
    list_filter = ["directive", "disposition"]
    search_fields = ["document_uri", "blocked_uri", "source_file"]
    date_hierarchy = "received_at"
    readonly_fields = [field.name for field in CSPReport._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
