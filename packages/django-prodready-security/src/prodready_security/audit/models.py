"""What the audit log stores: one row per event, and the head of the hash chain.

An event is written unsealed (``sequence``, ``prev_hash`` and ``hash`` empty) where
writers do not wait for each other, then linked into the chain by the sealer
(``audit.sealing``); see ``audit.chain`` for which database does what.
"""

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

    # Empty until the sealer links the event into the chain.
    sequence = models.PositiveBigIntegerField(unique=True, null=True, editable=False)
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
    # Looked up by type and pk together: the (type, pk) index below serves both.
    target_content_type = models.ForeignKey(
        ContentType,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    target_pk = models.CharField(max_length=255, blank=True)
    target_repr = models.CharField(max_length=255, blank=True)
    changes: models.JSONField[Any] = models.JSONField(default=dict, blank=True)
    data: models.JSONField[Any] = models.JSONField(default=dict, blank=True)
    client_address = models.CharField(max_length=45, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    request_id = models.CharField(max_length=128, blank=True)
    # NULL, not "", until sealed: many unsealed events must fit the unique constraint.
    prev_hash = models.CharField(max_length=64, null=True, editable=False)  # noqa: DJ001
    hash = models.CharField(max_length=64, unique=True, null=True, editable=False)  # noqa: DJ001
    # When the sealer linked the event (not hashed: it says nothing about what happened).
    sealed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-sequence"]
        verbose_name = gettext_lazy("audit event")
        verbose_name_plural = gettext_lazy("audit events")
        indexes = [
            models.Index(fields=["target_content_type", "target_pk"]),
            # The sealer's queue: small, as events are sealed right after they commit.
            models.Index(
                fields=["id"],
                condition=models.Q(sequence__isnull=True),
                name="prodready_audit_unsealed",
            ),
        ]

    def __str__(self) -> str:
        if self.sequence is None:
            return f"unsealed {self.action} (id {self.pk})"
        return f"#{self.sequence} {self.action}"

    @property
    def actor_name(self) -> str:
        """Who acted, as they were then: the snapshot outlives the user row."""
        snapshot = self.actor_snapshot or {}
        return str(snapshot.get("username") or snapshot.get("name") or "system")


class AuditChainHead(models.Model):
    """The chain's single head row: the last event appended, and where the chain starts.

    Only the sealer (under its own lock) and the inline append of databases
    without advisory locks move it, so the chain never forks. ``anchor_*`` is the
    link the oldest kept event points to: the genesis, or the last event removed by
    ``manage.py audit prune``.
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
