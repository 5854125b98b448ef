"""On PostgreSQL, a tracked save that updates a row stores its event in the same statement.

Stored on its own, the event of an update is one more INSERT: one more round trip for
the writer and, in autocommit, a commit of its own after the change's. Instead the
save's UPDATE becomes the data-modifying CTE of the event's INSERT::

    WITH changed AS (UPDATE ... RETURNING 1) INSERT INTO <audit log> (...) SELECT ... FROM changed

so the event is stored by the statement that changes the row, exactly when a row is
changed, and the statement's row count is still the number of rows updated (Django
reads it to tell an update from an insert).

The pre_save receiver calls ``arm``, which adds a one-shot ``execute_wrapper`` to the
connection; it sees the next statement only, and rewrites it if it has the form of
this save's UPDATE (this table, this primary key, one value per field the save writes).
Anything else goes unchanged: another receiver's query first, an INSERT, a filtering
base manager, a RETURNING clause; the post_save receiver then stores the event with an
INSERT of its own, as on other databases. Saves that ``possible`` rules out (models with
multi-table inheritance, whose save sends two UPDATEs, and a log in another database)
are never armed. Either way the event then goes to every ``prodready_audit`` hook; when
the UPDATE stored it, ``stored`` tells this package's own hook not to store it twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import suppress
from contextvars import ContextVar
from functools import cache, partial
from typing import TYPE_CHECKING, Any

from django.db import connections, models, transaction

from prodready import hooks
from prodready_security.audit import recorder, sealer_thread, sealing
from prodready_security.audit.models import AuditEvent
from prodready_security.conf import conf

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

    from prodready.events import AuditEvent as SentEvent

_CHANGED = '"prodready_audit_changed"'
# The event being broadcast after its UPDATE stored it.
_stored: ContextVar[SentEvent | None] = ContextVar("prodready_audit_stored", default=None)


class Armed:
    """One save's capture: an ``execute_wrapper`` for the statement that follows.

    ``done`` once its UPDATE ran rewritten (``event`` stored) or had nothing to record
    (``event`` None); otherwise the save stores its event the usual way.
    """

    def __init__(
        self,
        connection: BaseDatabaseWrapper,
        model: type[models.Model],
        pk: Any,
        fields_written: int,
        make_event: Callable[[], SentEvent | None],
    ) -> None:
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        self.prefix = f"UPDATE {table} SET "
        self.suffix = f" WHERE {table}.{quote(str(model._meta.pk.column))} = %s"
        self.connection, self.pk, self.make_event = connection, pk, make_event
        self.placeholders = fields_written + 1  # the values written, then the primary key
        self.done = False
        self.event: SentEvent | None = None

    def __call__(
        self,
        execute: Callable[..., Any],
        sql: str,
        params: Sequence[Any] | None,
        many: bool,
        context: dict[str, Any],
    ) -> Any:
        self.disarm()
        if many or not params or not self._is_the_update(sql, params):
            return execute(sql, params, many, context)
        event = self.make_event()
        if event is None:  # a save that changed nothing is not an event
            self.done = True
            return execute(sql, params, many, context)
        result = execute(
            f"WITH {_CHANGED} AS ({sql} RETURNING 1) {_insert_sql(self.connection.alias)}",
            [*params, *_values(recorder.columns(event), self.connection)],
            many,
            context,
        )
        if context["cursor"].rowcount:  # no row, no event: Django now inserts the row
            self.done, self.event = True, event
            transaction.on_commit(
                partial(sealer_thread.wake, self.connection.alias), using=self.connection.alias
            )
        return result

    def disarm(self) -> None:
        with suppress(ValueError):
            self.connection.execute_wrappers.remove(self)

    def __reduce__(self) -> tuple[Callable[[], None], tuple[()]]:
        # Left on an instance whose save failed: pickling or copying it must still work.
        return _nothing, ()

    def _is_the_update(self, sql: str, params: Sequence[Any]) -> bool:
        return (
            sql.startswith(self.prefix)
            and sql.endswith(self.suffix)
            and "RETURNING" not in sql
            and sql.count("%s") == self.placeholders == len(params)
            and params[-1] == self.pk
        )


def _nothing() -> None:
    return None


def possible(model: type[models.Model], instance: models.Model, using: str) -> bool:
    """Whether a save of ``instance`` may store its event with its UPDATE."""
    return (
        instance.pk is not None
        and using == conf.AUDIT_DATABASE
        and sealing.deferred(using)
        and not (model._meta.concrete_model or model)._meta.parents  # parents: 2 UPDATEs
    )


def arm(
    model: type[models.Model],
    instance: models.Model,
    using: str,
    fields_written: int,
    make_event: Callable[[], SentEvent | None],
) -> Armed:
    """Have the save's next statement store the event ``make_event`` returns then (its
    values are the ones the UPDATE writes, auto_now fields included)."""
    connection = connections[using]
    # A save that failed before its statement left its capture behind: never reuse it.
    connection.execute_wrappers[:] = [
        wrapper for wrapper in connection.execute_wrappers if not isinstance(wrapper, Armed)
    ]
    armed = Armed(connection, model, instance.pk, fields_written, make_event)
    connection.execute_wrappers.append(armed)
    return armed


def announce(event: SentEvent) -> None:
    """Send an event its UPDATE stored to every ``prodready_audit`` hook."""
    token = _stored.set(event)
    try:
        hooks.audit(event)
    finally:
        _stored.reset(token)


def stored(event: SentEvent) -> bool:
    """Whether ``event`` is being announced after its UPDATE stored it."""
    return _stored.get() is event


@cache  # per database alias; the log's columns are fixed
def _insert_sql(alias: str) -> str:
    connection = connections[alias]
    quote = connection.ops.quote_name
    fields = _fields()
    columns = ", ".join(quote(field.column) for field in fields)
    # An INSERT's SELECT takes its untyped values and NULLs as the columns' types.
    values = ", ".join(["%s"] * len(fields))
    return (
        f"INSERT INTO {quote(AuditEvent._meta.db_table)} ({columns}) "
        f"SELECT {values} FROM {_CHANGED}"
    )


def _values(columns: dict[str, Any], connection: BaseDatabaseWrapper) -> list[Any]:
    return [field.get_db_prep_save(columns[field.attname], connection) for field in _fields()]


@cache
def _fields() -> tuple[Any, ...]:
    # An unsealed event's: not the primary key, not the chain's (NULL until sealed).
    return tuple(
        field
        for field in AuditEvent._meta.concrete_fields
        if not field.primary_key and field.editable
    )
