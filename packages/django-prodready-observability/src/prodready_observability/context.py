"""The request id and the user of the work in progress, as context variables.

Set by the request middleware for a request and by the Celery signal handlers for a
task; read by the logging filter, so that every log record carries them. Context
variables follow the work into ``sync_to_async`` threads and coroutines alike.
"""

from __future__ import annotations

import os
import re
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING

from django.utils.functional import LazyObject, empty

if TYPE_CHECKING:
    from django.http import HttpRequest

MAX_LENGTH = 64
_WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{1,64}")

# (request id, request, explicit user id) of the work in progress: one variable, set and
# reset once per request, not one per item.
Bound = tuple["str | None", "HttpRequest | None", "str | None"]
_bound: ContextVar[Bound] = ContextVar("prodready_context", default=(None, None, None))


def new_request_id() -> str:
    """32 random hex digits, as ``uuid4().hex`` looks, at a fraction of its cost: the
    bytes ``secrets.token_hex`` reads, without its two Python calls per request."""
    return os.urandom(16).hex()


def is_well_formed(request_id: object) -> bool:
    """1 to 64 characters of letters, digits, ``.``, ``_`` and ``-``: safe to log and echo."""
    return (
        isinstance(request_id, str)
        and len(request_id) <= MAX_LENGTH
        and _WELL_FORMED.fullmatch(request_id) is not None
    )


def incoming_or_new(value: object) -> str:
    """``value`` if it is a well-formed id, else a new one (never the bad value)."""
    return value if isinstance(value, str) and is_well_formed(value) else new_request_id()


def current_request_id() -> str | None:
    return _bound.get()[0]


def current_request() -> HttpRequest | None:
    return _bound.get()[1]


def current_user_id() -> str | None:
    """The id of the signed-in user, if the request already loaded it (never loads it:
    that would cost a session and a user query on views that do not need one)."""
    _, request, explicit = _bound.get()
    if explicit is not None:
        return explicit
    return None if request is None else user_id_of(request)


def user_id_of(request: HttpRequest) -> str | None:
    user = request.__dict__.get("user")
    if user is None:
        return None
    if isinstance(user, LazyObject):  # SimpleLazyObject until first used
        # Read past LazyObject.__getattribute__, a Python method run for every attribute:
        # this runs several times per request (log line, its filter, the history).
        user = object.__getattribute__(user, "_wrapped")
        if user is empty:
            return None
    if not getattr(user, "is_authenticated", False):
        return None
    pk = getattr(user, "pk", None)
    return None if pk is None else str(pk)


def bind(
    request_id: str | None, request: HttpRequest | None = None, user_id: str | None = None
) -> Token[Bound]:
    """Set the context; pass what it returns to :func:`unbind` when the work is done."""
    return _bound.set((request_id, request, user_id))


def unbind(token: Token[Bound]) -> None:
    _bound.reset(token)
