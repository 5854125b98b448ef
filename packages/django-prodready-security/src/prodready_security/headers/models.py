"""Stored CSP violation reports: the fields staff sort by, plus the report as sent."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy


class CSPReport(models.Model):
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    document_uri = models.CharField(max_length=2000, blank=True)
    blocked_uri = models.CharField(max_length=2000, blank=True)
    directive = models.CharField(max_length=200, blank=True)
    disposition = models.CharField(max_length=20, blank=True)  # "enforce" or "report"
    source_file = models.CharField(max_length=2000, blank=True)
    line_number = models.PositiveIntegerField(null=True, blank=True)
    client_address = models.CharField(max_length=45, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    body = models.JSONField(default=dict)

    class Meta:
        app_label = "prodready_security"
        ordering = ["-received_at"]
        verbose_name = gettext_lazy("CSP violation report")

    def __str__(self) -> str:
        return f"{self.directive or 'CSP'} blocked {self.blocked_uri or '?'}"
