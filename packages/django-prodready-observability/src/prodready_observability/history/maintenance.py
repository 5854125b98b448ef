"""One round of upkeep: write this process's batch, roll up, and prune when asked.

A database that cannot take the history (tables not migrated yet, unreachable) costs
one WARNING line when the trouble starts, with what to do, and one INFO line when it is
over: never a traceback per flush, never an error on a request. Meanwhile the batches
are dropped (memory stays bounded) and the health check says what is wrong.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from django.db import DatabaseError

from prodready_observability.history import buffer
from prodready_observability.history.queries import quiet

logger = logging.getLogger("prodready.history")


@dataclass
class State:
    problem: str | None = None


state = State()
_lock = threading.Lock()


def maintain(prune: bool = False, only_if_new: bool = False) -> bool:
    """True if everything was written; False (and a warning, once) if the database refused.

    ``only_if_new``: nothing at all (not even the rollup) when this process has no new
    counts."""
    from prodready_observability.history.flush import database, write
    from prodready_observability.history.prune import prune as delete_old
    from prodready_observability.history.rollup import rollup

    batch = buffer.take()
    if only_if_new and not batch and not prune:
        return state.problem is None
    with _lock, quiet():
        try:
            if batch:
                write(batch)
            rollup()
            if prune:
                delete_old()
        except DatabaseError as exc:
            _failed(database(), exc)
            return False
    if state.problem is not None:
        logger.info("The request history is being written to the database again.")
        state.problem = None
    return True


def describe(alias: str, exc: DatabaseError) -> str:
    # The class and a short first line: enough to act on, without a query's values.
    first_line = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return (
        f"the request history could not be written to database {alias!r} "
        f"({type(exc).__name__}: {first_line}); if its tables are missing, run "
        "`manage.py migrate prodready_observability`"
    )


def _failed(alias: str, exc: DatabaseError) -> None:
    message = describe(alias, exc)
    if state.problem is None:
        logger.warning(
            "%s. Counts are dropped until it works; this is logged once.", message.capitalize()
        )
    state.problem = message
