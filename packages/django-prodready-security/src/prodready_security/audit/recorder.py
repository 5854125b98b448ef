"""From an event sent with ``prodready.audit(...)`` to a row of the audit log."""

from __future__ import annotations

import ipaddress
from functools import cache
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType, ContentTypeManager
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
    return AuditEvent(**columns(event))


def columns(event: SentEvent) -> dict[str, Any]:
    """The values of ``event``'s unsealed row, by attribute name: every field but the
    primary key and the chain's (``sequence``, ``prev_hash``, ``hash``, ``sealed_at``)."""
    request = event.request if event.request is not None else current_request()
    actor = event.actor if event.actor is not None else _request_user(request)
    target = event.target
    model_label = target._meta.label_lower if isinstance(target, models.Model) else None
    changes = {
        str(field): [to_jsonable(before), to_jsonable(after)]
        for field, (before, after) in event.changes.items()
    }
    return {
        "occurred_at": event.occurred_at,
        "action": event.action[:100],
        "actor_id": actor.pk if _is_saved_user(actor) else None,
        "actor_snapshot": actor_snapshot(actor),
        "changes": mask_changes(changes, model_label),
        "data": mask_data(to_jsonable(event.data)),
        **_target_columns(target),
        **(_NO_REQUEST if request is None else _request_columns(request)),
    }


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


def _target_columns(target: Any) -> dict[str, Any]:
    if target is None:
        return _NO_TARGET
    if not isinstance(target, models.Model):
        return {**_NO_TARGET, "target_repr": str(target)[:255]}
    return {
        # The audit database's own content types, so the admin's joins are right.
        "target_content_type_id": _content_types(conf.AUDIT_DATABASE)
        .get_for_model(target, for_concrete_model=False)
        .pk,
        "target_pk": "" if target.pk is None else str(target.pk)[:255],
        "target_repr": str(target)[:255],
    }


def _request_columns(request: HttpRequest) -> dict[str, Any]:
    # Printable ASCII only: the header comes from the client or a proxy.
    request_id = str(request.META.get("HTTP_X_REQUEST_ID", ""))
    return {
        "client_address": _normalised_address(client_ip(request)),
        "user_agent": str(request.META.get("HTTP_USER_AGENT", ""))[:512],
        "request_id": "".join(c for c in request_id if " " < c < "\x7f")[:128],
    }


_NO_TARGET: dict[str, Any] = {"target_content_type_id": None, "target_pk": "", "target_repr": ""}
_NO_REQUEST: dict[str, Any] = {"client_address": "", "user_agent": "", "request_id": ""}


@cache
def _content_types(using: str) -> ContentTypeManager:
    # A manager bound to ``using`` shares ContentType.objects' cache (and its clearing):
    # made once, not on every event.
    return ContentType.objects.db_manager(using)


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
