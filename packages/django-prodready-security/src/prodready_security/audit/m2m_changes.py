"""Changes to many-to-many relations of tracked models, through ``m2m_changed``.

A relation is watched when the model declaring it, or the model it points to, is
tracked: ``user.groups.add(group)`` and ``group.user_set.add(user)`` are the same
change. It is recorded on every tracked object whose set of related objects
changed, under that object's name for the relation (``groups`` on a user,
``user_set`` on a group), as one ``model.m2m_changed`` event with the set before
and after (primary keys, sorted) and the operation (``add``, ``remove``, ``clear``;
``set()`` is a remove and an add). The sets are read from the relation's table
before and after, one query for each side each time, so they are what was stored,
not what was asked for. So ``auth.User`` brings its ``groups`` and
``user_permissions`` with it.

Not seen, like other bulk writes without signals: rows of the relation's table
written directly (``Through.objects.create``, ``bulk_create`` on an explicit
``through`` model, which is a model you can track itself) and raw SQL.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import models
from django.db.models.signals import m2m_changed

import prodready
from prodready_security.audit.tracked_models import is_tracked, tracked_models

ACTION = "model.m2m_changed"
_BEFORE = "_prodready_audit_m2m_before"
_connected: set[type[models.Model]] = set()


def sync_receivers() -> None:
    """Connect the receiver to the relations of exactly the tracked models."""
    wanted = {field.remote_field.through for field in _relations(tracked_models())}
    for through in _connected - wanted:
        m2m_changed.disconnect(sender=through, dispatch_uid=_uid(through))
    for through in wanted - _connected:
        m2m_changed.connect(_changed, sender=through, dispatch_uid=_uid(through), weak=False)
    _connected.clear()
    _connected.update(wanted)


def _relations(tracked: frozenset[type[models.Model]]) -> set[Any]:
    """The many-to-many fields declared by, or pointing at, a tracked model."""
    fields: set[Any] = set()
    for model in tracked:
        fields.update(model._meta.many_to_many)
        fields.update(rel.field for rel in model._meta.related_objects if rel.many_to_many)
    return fields


class _Relation:
    """One call's view of the relation: which side is which, and who is affected."""

    def __init__(self, sender: type[models.Model], instance: models.Model, reverse: bool) -> None:
        field = next(
            f for f in _relations(frozenset({type(instance)})) if f.remote_field.through is sender
        )
        self.field = field
        self.through = sender
        columns: Any = sender._meta
        # The through table's columns pointing at the declaring model and at the other one.
        self.source = str(columns.get_field(field.m2m_field_name()).attname)
        self.target = str(columns.get_field(field.m2m_reverse_field_name()).attname)
        self.models: tuple[type[models.Model], type[models.Model]] = (
            field.model,
            field.remote_field.model,
        )
        self.names = (field.name, field.remote_field.get_accessor_name() or field.name)
        self.instance, self.reverse = instance, reverse

    def sides(self, pk_set: set[Any] | None, using: str) -> list[tuple[int, set[Any]]]:
        """(side, primary keys) of the objects whose sets may change, on tracked sides."""
        own, other = (1, 0) if self.reverse else (0, 1)
        others = pk_set if pk_set is not None else self.linked(own, {self.instance.pk}, using)
        affected = {own: {self.instance.pk}, other: set(others)}
        return [(side, pks) for side, pks in affected.items() if is_tracked(self.models[side])]

    def linked(self, side: int, pks: set[Any], using: str) -> set[Any]:
        """The objects of the other side related to any of ``pks`` (of ``side``)."""
        column, related = (self.source, self.target) if side == 0 else (self.target, self.source)
        rows = self.through._base_manager.using(using).filter(**{f"{column}__in": pks})
        return set(rows.values_list(related, flat=True))

    def sets(self, side: int, pks: set[Any], using: str) -> dict[Any, list[Any]]:
        """For each of ``pks`` (of ``side``), the sorted keys of its related objects."""
        column, related = (self.source, self.target) if side == 0 else (self.target, self.source)
        found: dict[Any, set[Any]] = defaultdict(set)
        rows = self.through._base_manager.using(using).filter(**{f"{column}__in": pks})
        for key, value in rows.values_list(column, related):
            found[key].add(value)
        return {pk: sorted(found[pk], key=str) for pk in pks}


def _changed(
    sender: type[models.Model],
    instance: models.Model,
    action: str,
    reverse: bool,
    pk_set: set[Any] | None,
    using: str,
    **kwargs: Any,
) -> None:
    stage, _, operation = action.partition("_")
    relation = _Relation(sender, instance, reverse)
    if stage == "pre":
        sides = relation.sides(pk_set, using)
        before = [(side, relation.sets(side, pks, using)) for side, pks in sides]
        instance.__dict__.setdefault(_BEFORE, {})[sender] = before
        return
    for side, old_sets in instance.__dict__.get(_BEFORE, {}).pop(sender, []):
        new_sets = relation.sets(side, set(old_sets), using)
        changed = sorted((pk for pk, old in old_sets.items() if old != new_sets[pk]), key=str)
        objects = _objects(relation, side, changed, using)
        for pk in changed:
            prodready.audit(
                ACTION,
                target=objects.get(pk),
                changes={relation.names[side]: (old_sets[pk], new_sets[pk])},
                operation=operation,
                relation=relation.field.model._meta.label_lower + "." + relation.field.name,
            )


def _objects(relation: _Relation, side: int, pks: list[Any], using: str) -> dict[Any, Any]:
    if relation.instance.pk in pks and type(relation.instance)._meta.concrete_model is (
        relation.models[side]._meta.concrete_model
    ):
        rest = [pk for pk in pks if pk != relation.instance.pk]
        found = relation.models[side]._base_manager.using(using).in_bulk(rest) if rest else {}
        return {**found, relation.instance.pk: relation.instance}
    return relation.models[side]._base_manager.using(using).in_bulk(pks) if pks else {}


def _uid(through: type[models.Model]) -> str:
    return f"prodready_audit_m2m:{through._meta.label_lower}"
