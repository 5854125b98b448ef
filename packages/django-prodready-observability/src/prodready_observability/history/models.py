"""The tables the history is kept in. Every row is a sum over a time bucket, so a
process adds to a row rather than inserting one per request."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy


class RouteStat(models.Model):
    """Requests to one route in one minute, hour or day."""

    class Resolution(models.TextChoices):
        MINUTE = "m", gettext_lazy("minute")
        HOUR = "h", gettext_lazy("hour")
        DAY = "d", gettext_lazy("day")

    resolution = models.CharField(max_length=1, choices=Resolution.choices)
    start = models.DateTimeField()
    route = models.CharField(max_length=255)
    requests = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    total_us = models.BigIntegerField(default=0)
    # Requests per latency bucket (LATENCY_BUCKETS, then the rest), comma-separated: a
    # distribution that adds up across processes and buckets of time.
    buckets = models.TextField(default="", blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resolution", "start", "route"], name="prodready_routestat_unique"
            )
        ]
        indexes = [models.Index(fields=["resolution", "start"], name="prodready_routestat_time")]

    def __str__(self) -> str:
        return f"{self.route} {self.resolution} {self.start:%Y-%m-%d %H:%M}"

    @property
    def counts(self) -> list[int]:
        return [int(count) for count in self.buckets.split(",")] if self.buckets else []


class SlowRequest(models.Model):
    """One request that took longer than ``PRODREADY_ANALYTICS_SLOW_REQUEST_MS``."""

    at = models.DateTimeField(db_index=True)
    route = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    status = models.PositiveSmallIntegerField()
    duration_ms = models.FloatField()
    user_id = models.CharField(max_length=64, blank=True, default="")
    request_id = models.CharField(max_length=64, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.route} {self.duration_ms:.0f} ms"


class SlowQuery(models.Model):
    """Slow runs of one normalised statement from one place in the project, per hour."""

    hour = models.DateTimeField()
    fingerprint = models.CharField(max_length=64)  # sha256 of sql and location
    sql = models.TextField()
    alias = models.CharField(max_length=64)
    location = models.CharField(max_length=500)
    count = models.PositiveIntegerField(default=0)
    total_ms = models.FloatField(default=0)
    slowest_ms = models.FloatField(default=0)
    last_seen = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["hour", "fingerprint"], name="prodready_slowquery_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.location}: {self.sql[:60]}"


class ExceptionGroup(models.Model):
    """Exceptions of one class raised at one place in the project, per hour."""

    hour = models.DateTimeField()
    fingerprint = models.CharField(max_length=64)  # sha256 of class and location
    exception = models.CharField(max_length=255)
    location = models.CharField(max_length=500)
    route = models.CharField(max_length=255)
    count = models.PositiveIntegerField(default=0)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    latest_request_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["hour", "fingerprint"], name="prodready_exceptiongroup_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.exception} at {self.location}"


class UserActivity(models.Model):
    """Requests of one signed-in user in one hour."""

    hour = models.DateTimeField()
    user_id = models.CharField(max_length=64)
    requests = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["hour", "user_id"], name="prodready_useractivity_unique"
            )
        ]

    def __str__(self) -> str:
        return f"user {self.user_id}: {self.requests}"


class CacheStat(models.Model):
    """Keys read from one cache alias in one hour: found (hits) and not found (misses)."""

    hour = models.DateTimeField()
    alias = models.CharField(max_length=255)
    hits = models.BigIntegerField(default=0)
    misses = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hour", "alias"], name="prodready_cachestat_unique")
        ]

    def __str__(self) -> str:
        return f"{self.alias} {self.hour:%Y-%m-%d %H:00}: {self.hits}/{self.hits + self.misses}"
