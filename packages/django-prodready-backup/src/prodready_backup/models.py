"""The history of backup runs, verifications and restores."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy


class BackupRecord(models.Model):
    """One run of a backup of one target, and what later verifications found."""

    class Status(models.TextChoices):
        RUNNING = "running", gettext_lazy("Running")
        SUCCEEDED = "succeeded", gettext_lazy("Succeeded")
        FAILED = "failed", gettext_lazy("Failed")

    class Verification(models.TextChoices):
        CHECKSUM = "checksum", gettext_lazy("Checksum and authentication tags")
        RESTORE = "restore", gettext_lazy("Restore test into a scratch database")

    backup_id = models.CharField(max_length=64, unique=True)
    target = models.CharField(max_length=100, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    reason = models.CharField(max_length=100, blank=True, default="")
    # The username of whoever started the run or verification from the site; empty for
    # the schedule and the command line.
    requested_by = models.CharField(max_length=150, blank=True, default="")
    error = models.TextField(blank=True, default="")
    failed_step = models.CharField(max_length=32, blank=True, default="")
    host = models.CharField(max_length=255, blank=True, default="")
    pid = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    source_bytes = models.BigIntegerField(null=True, blank=True)
    stored_bytes = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_ok = models.BooleanField(null=True, blank=True)
    verified_how = models.CharField(
        max_length=16, choices=Verification.choices, blank=True, default=""
    )
    verify_error = models.TextField(blank=True, default="")
    verify_requested_by = models.CharField(max_length=150, blank=True, default="")
    # How long the latest passed restore test took: what a recovery plan needs.
    restore_test_seconds = models.FloatField(null=True, blank=True)
    pruned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        get_latest_by = "started_at"
        permissions = [
            ("run_backup", "Can start a backup from the site"),
            ("verify_backup", "Can start a verification of backups from the site"),
        ]

    def __str__(self) -> str:
        return f"{self.target} {self.backup_id} ({self.status})"


def username(actor: Any) -> str:
    """The name a record keeps of whoever asked ("" for the schedule or the command line)."""
    return str(actor.get_username()) if actor is not None else ""
