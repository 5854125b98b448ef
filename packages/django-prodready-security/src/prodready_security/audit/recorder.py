"""From an event sent with ``prodready.audit(...)`` to a row of the audit log."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models

from prodready.client_ip import client_ip
from prodready_security.audit import chain
from prodready_security.audit.context import current_request
from prodready_security.audit.jsonable import to_jsonable
from prodready_security.audit.masking import mask_changes, mask_data
from prodready_security.audit.models import AuditEvent
from prodready_security.conf import conf

if TYPE_CHECKING:
    from django.http import HttpRequest

    from prodready.events import AuditEvent as SentEvent


def record(event: SentEvent) -> AuditEvent:
    """Store ``event`` in ``PRODREADY_AUDIT_DATABASE``; linked into the chain now or, on
    PostgreSQL, by the sealer right after the transaction commits."""
    row = build_row(event)
    chain.add([row], using=conf.AUDIT_DATABASE)
    return row


def build_row(event: SentEvent) -> AuditEvent:
    """The row for ``event``, not yet linked into the chain."""
    request = event.request if event.request is not None else current_request()
    actor = event.actor if event.actor is not None else _request_user(request)
    target = event.target
    model_label = target._meta.label_lower if isinstance(target, models.Model) else None
    changes = {
        str(field): [to_jsonable(before), to_jsonable(after)]
        for field, (before, after) in event.changes.items()
    }
    row = AuditEvent(
        occurred_at=event.occurred_at,
        action=event.action[:100],
        actor_snapshot=actor_snapshot(actor),
        changes=mask_changes(changes, model_label),
        data=mask_data(to_jsonable(event.data)),
    )
    if _is_saved_user(actor):
        row.actor_id = actor.pk
    _describe_target(row, target)
    if request is not None:
        _describe_request(row, request)
    return row


def actor_snapshot(actor: Any) -> dict[str, Any]:
    """Who the actor was when they acted; the user row may change or go later."""
    if actor is None:
        return {}
    if not _is_saved_user(actor):
        return {"name": str(actor)[:255]}
    email_field = actor.get_email_field_name()
    return {
        "pk": str(actor.pk),
        "username": actor.get_username(),
        "email": str(getattr(actor, email_field, "") or ""),
        "is_active": bool(getattr(actor, "is_active", True)),
        "is_staff": bool(getattr(actor, "is_staff", False)),
        "is_superuser": bool(getattr(actor, "is_superuser", False)),
    }


def _describe_target(row: AuditEvent, target: Any) -> None:
    if target is None:
        return
    if isinstance(target, models.Model):
        # The audit database's own content types, so the admin's joins are right.
        content_types = ContentType.objects.db_manager(conf.AUDIT_DATABASE)
        row.target_content_type_id = content_types.get_for_model(
            target, for_concrete_model=False
        ).pk
        row.target_pk = "" if target.pk is None else str(target.pk)[:255]
    row.target_repr = str(target)[:255]


def _describe_request(row: AuditEvent, request: HttpRequest) -> None:
    row.client_address = _normalised_address(client_ip(request))
    row.user_agent = str(request.META.get("HTTP_USER_AGENT", ""))[:512]
    # Printable ASCII only: the header comes from the client or a proxy.
    request_id = str(request.META.get("HTTP_X_REQUEST_ID", ""))
    row.request_id = "".join(c for c in request_id if " " < c < "\x7f")[:128]


def _normalised_address(address: str) -> str:
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return ""


def _request_user(request: HttpRequest | None) -> Any:
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _is_saved_user(actor: Any) -> bool:
    return isinstance(actor, get_user_model()) and actor.pk is not None
