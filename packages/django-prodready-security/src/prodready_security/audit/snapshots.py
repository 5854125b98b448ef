"""What a tracked instance held when it was loaded or last saved, so a save needs no SELECT.

A tracked save records the fields it changes: "before" comes from the instance's
snapshot when there is one it can trust, otherwise from a SELECT of the row
(``audit.model_changes``). A snapshot is taken when Django builds the instance
from a row (``Model.from_db``) and renewed by ``refresh_from_db`` and by each save
once its transaction commits (a rolled-back save leaves none). It holds the
loaded fields only (deferred ones are missing, so a save that writes them
SELECTs), with a copy of every value that could be changed in place (a JSON
field's dict). It is trusted for the row and database it was taken from only.

``from_db`` and ``refresh_from_db`` are wrapped on each tracked model class only
(whatever it had before, its own or inherited, is called inside, and put back when
the model stops being tracked), so loading any other model costs nothing more. A
snapshot does not survive pickling (a cached instance may be any age).

What a snapshot cannot see is a change made to the row by someone else between
the load and the save: the diff is against what this instance was loaded with.
"""

from __future__ import annotations

import copy
import datetime
import decimal
import uuid
from collections.abc import Callable, Collection
from contextvars import ContextVar
from functools import cache, partial, partialmethod
from typing import Any

from django.db import models, transaction
from django.db.models.base import ModelState
from django.utils.inspect import func_accepts_kwargs, func_supports_parameter

_KEY = "_prodready_audit_snapshot"
# Exact types whose values cannot change in place: kept as they are, not copied.
_IMMUTABLE = frozenset(
    {
        type(None),
        bool,
        int,
        float,
        str,
        bytes,
        decimal.Decimal,
        datetime.datetime,
        datetime.date,
        datetime.time,
        datetime.timedelta,
        uuid.UUID,
    }
)

# A freshly loaded instance's attributes are its fields' values and its ``_state``.
_KEPT_AS_LOADED = _IMMUTABLE | {ModelState}
_WRAPPED = ("from_db", "refresh_from_db")
_tracked: set[type[models.Model]] = set()
# The snapshots taken while refresh_from_db loads its fresh copy of the row.
_refreshing: ContextVar[list[Snapshot] | None] = ContextVar(
    "prodready_audit_refreshing", default=None
)
# Per wrapped class: what it called before (functions), and its own attributes to put
# back (None: it had none of its own, the method was inherited).
_originals: dict[type[models.Model], dict[str, Callable[..., Any]]] = {}
_own: dict[type[models.Model], dict[str, Any]] = {}


class Snapshot:
    """Field values by field name, of the row ``pk`` in the database ``using``.

    One taken at load keeps a copy of the instance's attributes and makes the dict by
    field name only if a save asks for it: most loaded instances are never saved.
    """

    __slots__ = ("_loaded", "_values", "pk", "using")

    def __init__(
        self,
        pk: Any,
        using: str | None,
        values: dict[str, Any] | None = None,
        loaded: tuple[dict[str, Any], tuple[tuple[str, str], ...]] | None = None,
    ) -> None:
        self.pk, self.using, self._values, self._loaded = pk, using, values, loaded

    @property
    def values(self) -> dict[str, Any]:
        if self._values is None:
            attributes, fields = self._loaded or ({}, ())
            self._values = {
                name: attributes[attname] for name, attname in fields if attname in attributes
            }
        return self._values

    def __reduce__(self) -> tuple[Callable[[], None], tuple[()]]:
        return _forgotten, ()  # unpickled or deep-copied: no snapshot, the save SELECTs

    def covers(self, instance: models.Model, using: str, names: Collection[str]) -> bool:
        """Whether it holds every field in ``names`` of the row being saved."""
        return (
            self.pk == instance.pk
            and self.using == using
            and not instance._state.adding
            and all(name in self.values for name in names)
        )


def _forgotten() -> None:
    return None


def track(models_: Collection[type[models.Model]]) -> None:
    """Take snapshots for exactly these models from now on."""
    # Unwrapped all, then wrapped again: a tracked subclass's wrapper may call its
    # parent's, so no wrapper is put back while another still calls it.
    for model in reversed(list(_originals)):
        for name, attribute in _own.pop(model).items():
            if attribute is None:
                delattr(model, name)
            else:
                setattr(model, name, attribute)
    _originals.clear()
    _tracked.clear()
    _tracked.update(models_)
    for model in _tracked:
        _own[model] = {name: model.__dict__.get(name) for name in _WRAPPED}
        _originals[model] = {
            "from_db": model.from_db.__func__,  # type: ignore[attr-defined]
            "refresh_from_db": model.refresh_from_db,
        }
        model.from_db = classmethod(partial(_from_db, model))  # type: ignore[assignment,method-assign]
        model.refresh_from_db = partialmethod(_refresh_from_db, model)  # type: ignore[assignment,method-assign]


def take(instance: models.Model) -> Snapshot | None:
    """The instance's snapshot, removed: a save must renew it or leave none."""
    snapshot: Snapshot | None = instance.__dict__.pop(_KEY, None)
    return snapshot


def forget(instances: Collection[models.Model]) -> None:
    for instance in instances:
        instance.__dict__.pop(_KEY, None)


def renew_on_commit(
    instance: models.Model, using: str, written: dict[str, Any], before: dict[str, Any] | None
) -> None:
    """Once the save's transaction commits, snapshot the values it ``written`` over
    ``before`` (the row's values before the save) for the fields it did not write."""
    merged = dict(before or {})
    for name, value in written.items():
        if hasattr(value, "resolve_expression"):  # F() + 1: the value is in the row only
            merged.pop(name, None)
        else:
            _put(merged, name, value)
    snapshot = Snapshot(instance.pk, using, merged)
    # Runs now in autocommit; dropped with the transaction if it rolls back.
    transaction.on_commit(partial(instance.__dict__.__setitem__, _KEY, snapshot), using=using)


def _snapshot(instance: models.Model, using: str | None) -> Snapshot:
    # A copy of the attributes (deferred fields are not among them), with the values
    # that could change in place copied too; cheap when, as usual, there are none.
    attributes = dict(instance.__dict__)
    model = type(instance)
    if not set(map(type, attributes.values())) <= _KEPT_AS_LOADED:
        attnames = _attnames_of(model)
        mutable = [
            (name, value)
            for name, value in attributes.items()
            if type(value) not in _IMMUTABLE and name in attnames
        ]
        for name, value in mutable:
            _put(attributes, name, value)
    return Snapshot(instance.pk, using, loaded=(attributes, _fields_of(model)))


@cache  # per model class; its fields are fixed once the app registry is ready
def _fields_of(model: type[models.Model]) -> tuple[tuple[str, str], ...]:
    return tuple((field.name, field.attname) for field in model._meta.concrete_fields)


@cache
def _attnames_of(model: type[models.Model]) -> frozenset[str]:
    return frozenset(attname for _name, attname in _fields_of(model))


def _put(values: dict[str, Any], name: str, value: Any) -> None:
    if type(value) in _IMMUTABLE:
        values[name] = value
    elif isinstance(value, memoryview):  # a binary field on PostgreSQL
        values[name] = bytes(value)
    else:
        try:
            values[name] = copy.deepcopy(value)
        except Exception:
            values.pop(name, None)  # a value that cannot be copied: the save reads the row


def _from_db(
    wrapped: type[models.Model],
    cls: type[models.Model],
    db: str,
    field_names: Any,
    values: Any,
    **kwargs: Any,
) -> models.Model:
    # kwargs: Django 6.1's fetch_mode, for a from_db that takes it (Django's own does).
    original = _originals[wrapped]["from_db"]
    if kwargs and not _takes_keywords(original):
        kwargs = {}
    instance: models.Model = original(cls, db, field_names, values, **kwargs)
    if cls in _tracked:
        snapshot = _snapshot(instance, db)
        instance.__dict__[_KEY] = snapshot
        refreshing = _refreshing.get()
        if refreshing is not None:
            refreshing.append(snapshot)
    return instance


@cache  # one entry per wrapped from_db
def _takes_keywords(function: Callable[..., Any]) -> bool:
    return func_accepts_kwargs(function) or func_supports_parameter(function, "fetch_mode")


def _refresh_from_db(
    self: models.Model, wrapped: type[models.Model], *args: Any, **kwargs: Any
) -> None:
    original = _originals[wrapped]["refresh_from_db"]
    if type(self) not in _tracked:
        return original(self, *args, **kwargs)  # type: ignore[no-any-return]
    fresh: list[Snapshot] = []
    token = _refreshing.set(fresh)
    try:
        original(self, *args, **kwargs)
    finally:
        _refreshing.reset(token)
    if not fresh:  # nothing was read (only prefetched relations were cleared)
        return
    # The fields just read are the row's; the others keep what the old snapshot said.
    old = self.__dict__.get(_KEY)
    loaded = fresh[-1]
    if old is not None and (old.pk, old.using) == (loaded.pk, loaded.using):
        loaded = Snapshot(loaded.pk, loaded.using, {**old.values, **loaded.values})
    self.__dict__[_KEY] = loaded
