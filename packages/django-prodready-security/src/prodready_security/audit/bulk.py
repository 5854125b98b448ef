"""Bulk operations on tracked models, which send no model signals.

``QuerySet.update``, ``bulk_create`` and ``bulk_update`` are wrapped once on
Django's ``QuerySet`` class, so every manager, related manager and custom
QuerySet subclass of a tracked model goes through them without any change to the
model. For untracked models the wrappers only look the model up in a set.
``QuerySet.delete`` needs no wrapper: a tracked model has delete receivers, so
Django deletes its rows one by one with ``post_delete`` (see ``audit.model_changes``).

Each wrapper reads the affected rows before and after, inside one transaction,
and sends one event per row. Not seen: raw SQL (``cursor.execute``,
``Manager.raw``), ``QuerySet._raw_update`` (what ``on_delete=SET_NULL`` uses),
QuerySet subclasses that override these methods without calling ``super()``,
and other processes writing to the same tables.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import connections, router, transaction
from django.db.models import Model, QuerySet

import prodready
from prodready_security.audit import snapshots
from prodready_security.audit.model_changes import field_values
from prodready_security.audit.tracked_models import is_tracked

# Set while a wrapper runs: bulk_update calls update() per batch, which must not
# be recorded a second time.
_inside_wrapper: ContextVar[bool] = ContextVar("prodready_audit_bulk", default=False)
_originals: dict[str, Callable[..., Any]] = {}


def install() -> None:
    """Wrap the bulk methods of ``QuerySet``; idempotent."""
    if _originals:
        return
    for name, wrapper in (
        ("update", _audited_update),
        ("bulk_create", _audited_bulk_create),
        ("bulk_update", _audited_bulk_update),
    ):
        _originals[name] = getattr(QuerySet, name)
        setattr(QuerySet, name, wrapper)


def _audited_update(self: QuerySet[Any], **kwargs: Any) -> int:
    original = _originals["update"]
    if _inside_wrapper.get() or not is_tracked(self.model):
        return int(original(self, **kwargs))
    try:
        fields = [self.model._meta.get_field(name) for name in kwargs]
    except FieldDoesNotExist:
        return int(original(self, **kwargs))  # raises Django's own error
    using = _write_alias(self)
    with transaction.atomic(using=using), _wrapping():
        rows = _lock_rows(self.using(using)).values_list("pk", *[f.attname for f in fields])
        before = {
            row[0]: dict(zip([f.name for f in fields], row[1:], strict=True)) for row in rows
        }
        count = int(original(self, **kwargs))
        after = self.model._base_manager.using(using).in_bulk(list(before))
        for pk, old in before.items():
            if pk in after:
                _send_update(after[pk], old, "QuerySet.update")
    return count


def _audited_bulk_create(
    self: QuerySet[Any], objs: Iterable[Model], *args: Any, **kwargs: Any
) -> Any:
    original = _originals["bulk_create"]
    if _inside_wrapper.get() or not is_tracked(self.model):
        return original(self, objs, *args, **kwargs)
    options = inspect.signature(original).bind(self, objs, *args, **kwargs).arguments
    data: dict[str, Any] = {"bulk": "bulk_create"}
    if options.get("ignore_conflicts"):
        data["on_conflict"] = "ignore"  # rows that existed were left alone, unrecorded
    elif options.get("update_conflicts"):
        data["on_conflict"] = "update"  # the row may have existed and been updated
    objs = list(objs)
    snapshots.forget(objs)  # a row that existed may hold other values (ignore_conflicts)
    with transaction.atomic(using=_write_alias(self)), _wrapping():
        created = original(self, objs, *args, **kwargs)
        for obj in created:
            changes = {name: (None, value) for name, value in field_values(obj).items()}
            prodready.audit("model.created", target=obj, changes=changes, **data)
    return created


def _audited_bulk_update(
    self: QuerySet[Any], objs: Iterable[Model], fields: Iterable[str], *args: Any, **kwargs: Any
) -> Any:
    original = _originals["bulk_update"]
    if _inside_wrapper.get() or not is_tracked(self.model):
        return original(self, objs, fields, *args, **kwargs)
    objs, fields = list(objs), list(fields)
    snapshots.forget(objs)  # their rows change here: their next save reads them first
    names = [self.model._meta.get_field(name).name for name in fields]
    using = _write_alias(self)
    rows = self.model._base_manager.using(using)
    with transaction.atomic(using=using), _wrapping():
        pks = [obj.pk for obj in objs if obj.pk is not None]
        before = _lock_rows(rows.filter(pk__in=pks)).in_bulk(pks) if pks else {}
        result = original(self, objs, fields, *args, **kwargs)
        after = rows.in_bulk(list(before))
        for pk, old in before.items():
            values = {name: getattr(old, _attname(old, name)) for name in names}
            _send_update(after[pk], values, "bulk_update")
    return result


def _send_update(obj: Model, before: dict[str, Any], how: str) -> None:
    changes = {}
    for name, old in before.items():
        new = getattr(obj, _attname(obj, name))
        if new != old:
            changes[name] = (old, new)
    if changes:
        prodready.audit("model.updated", target=obj, changes=changes, bulk=how)


def _lock_rows(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Lock the rows about to change (where the database can), so "before" stays true."""
    features = connections[queryset.db].features
    if not features.has_select_for_update or queryset.query.distinct:
        return queryset
    if features.has_select_for_update_of:
        return queryset.select_for_update(of=("self",))
    return queryset.select_for_update()


def _write_alias(queryset: QuerySet[Any]) -> str:
    """Where the operation will write (``QuerySet.db`` answers for reads until it runs)."""
    explicit: str | None = getattr(queryset, "_db", None)
    return explicit or router.db_for_write(queryset.model, **getattr(queryset, "_hints", {}))


def _attname(obj: Model, name: str) -> str:
    """The attribute holding a field's value (``tutor_id`` for the field ``tutor``)."""
    return str(getattr(obj._meta.get_field(name), "attname", name))


@contextmanager
def _wrapping() -> Iterator[None]:
    token = _inside_wrapper.set(True)
    try:
        yield
    finally:
        _inside_wrapper.reset(token)
