"""What the audit log stores: one row per event, and the head of the hash chain."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy

# The hash that the first event of a new chain links to.
GENESIS_HASH = "0" * 64
HEAD_ID = 1


class AuditEvent(models.Model):
    """Something that happened, who did it and to what; never changed once written.

    ``actor`` and ``target_content_type`` are kept without a database constraint
    and with ``DO_NOTHING``: deleting a user or a content type must not touch the
    log (PostgreSQL refuses UPDATE and DELETE on it), and ``actor_snapshot`` keeps
    who they were.
    """

    sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    occurred_at = models.DateTimeField(db_index=True)
    action = models.CharField(max_length=100, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_snapshot: models.JSONField[Any] = models.JSONField(default=dict, blank=True)
    target_content_type = models.ForeignKey(
        ContentType,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    target_pk = models.CharField(max_length=255, blank=True, db_index=True)
    target_repr = models.CharField(max_length=255, blank=True)
    changes: models.JSONField[Any] = models.JSONField(default=dict, blank=True)
    data: models.JSONField[Any] = models.JSONField(default=dict, blank=True)
    client_address = models.CharField(max_length=45, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    request_id = models.CharField(max_length=128, blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        ordering = ["-sequence"]
        verbose_name = gettext_lazy("audit event")
        verbose_name_plural = gettext_lazy("audit events")
        indexes = [models.Index(fields=["target_content_type", "target_pk"])]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action}"

    @property
    def actor_name(self) -> str:
        """Who acted, as they were then: the snapshot outlives the user row."""
        snapshot = self.actor_snapshot or {}
        return str(snapshot.get("username") or snapshot.get("name") or "system")


class AuditChainHead(models.Model):
    """The chain's single head row: the last event appended, and where the chain starts.

    Appending locks this row, so concurrent writers take turns and the chain
    never forks. ``anchor_*`` is the link the oldest kept event points to: the
    genesis, or the last event removed by ``manage.py audit prune``.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=HEAD_ID)
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)
    anchor_sequence = models.PositiveBigIntegerField(default=0)
    anchor_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = gettext_lazy("audit chain head")

    def __str__(self) -> str:
        return f"audit chain head at #{self.sequence}"
