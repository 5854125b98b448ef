"""Creates, updates (with field diffs) and deletes of tracked models, through model signals.

Receivers are connected per tracked model, not to every sender: a model with a
delete receiver loses Django's fast delete, and untracked models should keep it.
Bulk operations, which send no signals, are handled in ``audit.bulk``; ``audit.setup``
wires both.

An update's "before" is the instance's snapshot (``audit.snapshots``) when it has one
for every field the save writes; otherwise the row is read first, one SELECT more. On
PostgreSQL the update's own statement stores its event (``audit.same_statement``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save

import prodready
from prodready.events import AuditEvent as SentEvent
from prodready_security.audit import same_statement, snapshots
from prodready_security.audit.tracked_models import tracked_models

_BEFORE = "_prodready_audit_before"
_ARMED = "_prodready_audit_armed"
_connected: set[type[models.Model]] = set()


def sync_receivers() -> frozenset[type[models.Model]]:
    """Connect the receivers to exactly the tracked models (at start-up, on setting change);
    the models now tracked."""
    wanted = tracked_models()
    for model in _connected - wanted:
        for signal, _receiver in _SIGNALS:
            signal.disconnect(sender=model, dispatch_uid=_uid(model))
    for model in wanted - _connected:
        for signal, receiver in _SIGNALS:
            signal.connect(receiver, sender=model, dispatch_uid=_uid(model), weak=False)
    _connected.clear()
    _connected.update(wanted)
    snapshots.track(wanted)
    return wanted


def field_values(instance: models.Model) -> dict[str, Any]:
    """Every concrete field's value, by field name (a foreign key's is the related pk)."""
    return {field.name: field.value_from_object(instance) for field in _fields(type(instance))}


def _remember_before(
    sender: type[models.Model],
    instance: models.Model,
    using: str,
    update_fields: frozenset[str] | None = None,
    **kwargs: Any,
) -> None:
    snapshot = snapshots.take(instance)
    before = None
    if instance.pk is not None:
        names = _names(sender, update_fields) if update_fields else _all_names(sender)
        if snapshot is not None and snapshot.covers(instance, using, names):
            before = snapshot.values
        else:
            before = _read_row(sender, instance.pk, using)
        if before is not None and same_statement.possible(sender, instance, using):
            _arm(sender, instance, using, before, names)
    setattr(instance, _BEFORE, before)


def _arm(
    sender: type[models.Model],
    instance: models.Model,
    using: str,
    before: dict[str, Any],
    names: list[str],
) -> None:
    def event() -> SentEvent | None:
        # When the UPDATE is sent: the values it writes, auto_now fields' included.
        changes = _changes(before, field_values(instance), names)
        return SentEvent("model.updated", target=instance, changes=changes) if changes else None

    written = [
        f for f in _fields(sender) if f.name in names and not f.primary_key and not f.generated
    ]
    instance.__dict__[_ARMED] = same_statement.arm(sender, instance, using, len(written), event)


def _read_row(sender: type[models.Model], pk: Any, using: str) -> dict[str, Any] | None:
    fields = _fields(sender)
    row = (
        sender._base_manager.using(using)
        .filter(pk=pk)
        .values_list(*[field.attname for field in fields])
        .first()
    )
    if row is None:
        return None
    return {field.name: value for field, value in zip(fields, row, strict=True)}


def _record_save(
    sender: type[models.Model],
    instance: models.Model,
    created: bool,
    using: str,
    update_fields: frozenset[str] | None = None,
    **kwargs: Any,
) -> None:
    before: dict[str, Any] | None = instance.__dict__.pop(_BEFORE, None)
    armed: same_statement.Armed | None = instance.__dict__.pop(_ARMED, None)
    if armed is not None:
        armed.disarm()
    after = field_values(instance)
    names = _names(sender, update_fields) if update_fields and not created else after.keys()
    # The next save diffs against what this one wrote (and, for the fields it did not
    # write, against what the row held before it).
    written = {name: after[name] for name in names}
    snapshots.renew_on_commit(instance, using, written, None if created else before)
    if created or before is None:
        changes = {name: (None, value) for name, value in after.items()}
        prodready.audit("model.created", target=instance, changes=changes)
        return
    if armed is not None and armed.done:  # the UPDATE stored the event, if there was one
        if armed.event is not None:
            same_statement.announce(armed.event)
        return
    changes = _changes(before, after, names)
    if changes:  # a save that changed nothing is not an event
        prodready.audit("model.updated", target=instance, changes=changes)


def _record_delete(
    sender: type[models.Model], instance: models.Model, origin: Any = None, **kwargs: Any
) -> None:
    changes = {name: (value, None) for name, value in field_values(instance).items()}
    data: dict[str, Any] = {}
    if isinstance(origin, models.QuerySet):
        data["bulk"] = "QuerySet.delete"
    elif isinstance(origin, models.Model) and origin is not instance:
        data["cascade_from"] = f"{origin._meta.label_lower}:{origin.pk}"
    prodready.audit("model.deleted", target=instance, changes=changes, **data)


def _changes(
    before: dict[str, Any], after: dict[str, Any], names: Iterable[str]
) -> dict[str, tuple[Any, Any]]:
    return {name: (before[name], after[name]) for name in names if before[name] != after[name]}


def _fields(model: type[models.Model]) -> list[Any]:
    return list(model._meta.concrete_fields)


def _all_names(model: type[models.Model]) -> list[str]:
    return [field.name for field in _fields(model)]


def _names(model: type[models.Model], update_fields: frozenset[str]) -> list[str]:
    # update_fields may hold attnames ("tutor_id"); diffs are keyed by field name.
    return [field.name for field in _fields(model) if {field.name, field.attname} & update_fields]


def _uid(model: type[models.Model]) -> str:
    return f"prodready_audit:{model._meta.label_lower}"


_SIGNALS = ((pre_save, _remember_before), (post_save, _record_save), (post_delete, _record_delete))
