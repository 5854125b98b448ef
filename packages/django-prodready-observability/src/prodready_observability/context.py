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

request_id_var: ContextVar[str | None] = ContextVar("prodready_request_id", default=None)
user_id_var: ContextVar[str | None] = ContextVar("prodready_user_id", default=None)
request_var: ContextVar[HttpRequest | None] = ContextVar("prodready_request", default=None)


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
    return request_id_var.get()


def current_user_id() -> str | None:
    """The id of the signed-in user, if the request already loaded it (never loads it:
    that would cost a session and a user query on views that do not need one)."""
    explicit = user_id_var.get()
    if explicit is not None:
        return explicit
    request = request_var.get()
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
) -> tuple[Token[str | None], Token[HttpRequest | None], Token[str | None]]:
    """Set the context; pass what it returns to :func:`unbind` when the work is done."""
    return request_id_var.set(request_id), request_var.set(request), user_id_var.set(user_id)


def unbind(
    tokens: tuple[Token[str | None], Token[HttpRequest | None], Token[str | None]],
) -> None:
    request_id_token, request_token, user_token = tokens
    request_id_var.reset(request_id_token)
    request_var.reset(request_token)
    user_id_var.reset(user_token)
