"""Workers answering and queue lengths, asked of the broker within a fixed budget.

A ping waits its whole timeout (it cannot know how many workers will answer), so the
answer is kept for ``KEEP_SECONDS`` in this process and asked by one request at a time;
a broker that hangs costs the page ``PING_SECONDS`` plus ``MARGIN_SECONDS`` at most,
since the asking runs in a thread the page stops waiting for.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

PING_SECONDS = 1.0
MARGIN_SECONDS = 1.0  # Redis polls: a wait overshoots by up to about a second
KEEP_SECONDS = 10.0
MAX_QUEUES = 20


@dataclass(frozen=True)
class BrokerView:
    """What the broker said; ``problem`` says why it said nothing (a sentence, no secret)."""

    workers: tuple[str, ...] = ()
    queues: tuple[tuple[str, int], ...] = ()
    problem: str | None = None


_lock = threading.Lock()
_kept: dict[int, tuple[float, BrokerView]] = {}  # id(app) -> (monotonic expiry, view)


def broker_view(app: Any) -> BrokerView:
    """The workers and queues of ``app``, at most ``KEEP_SECONDS`` old."""
    budget = PING_SECONDS + MARGIN_SECONDS
    if not _lock.acquire(timeout=budget):
        return BrokerView(problem="The broker is being asked by another request; reload soon.")
    try:
        kept = _kept.get(id(app))
        if kept is not None and kept[0] > time.monotonic():
            return kept[1]
        view = _ask_within(app, budget)
        _kept[id(app)] = (time.monotonic() + KEEP_SECONDS, view)
        return view
    finally:
        _lock.release()


def forget() -> None:
    """Drop the kept answers (tests, and after changing the app)."""
    _kept.clear()


def _ask_within(app: Any, budget: float) -> BrokerView:
    answer: list[BrokerView] = []

    def ask() -> None:
        try:
            answer.append(_ask(app))
        except Exception as exc:
            # Broker URLs carry passwords: the log gets the error, the page its kind.
            logger.warning("Asking the Celery broker failed", exc_info=True)
            answer.append(
                BrokerView(
                    problem=f"The broker could not be reached ({type(exc).__name__}); "
                    "see the server log."
                )
            )

    thread = threading.Thread(target=ask, name="prodready-celery-broker", daemon=True)
    thread.start()
    thread.join(budget)
    if not answer:
        return BrokerView(problem=f"The broker did not answer within {budget:.0f} s.")
    return answer[0]


def _ask(app: Any) -> BrokerView:
    with app.connection_for_write() as connection:
        # One try, no sleep between: a broker that is down is said so at once.
        connection.ensure_connection(max_retries=1, interval_start=0, timeout=PING_SECONDS)
        replies = app.control.ping(timeout=PING_SECONDS, connection=connection)
        workers = sorted(name for reply in replies or [] for name in reply)
        channel = connection.default_channel
        queues = tuple((name, _length(channel, name)) for name in queue_names(app))
    return BrokerView(workers=tuple(workers), queues=queues)


def _length(channel: Any, name: str) -> int:
    try:
        return int(channel.queue_declare(queue=name, passive=True).message_count)
    except Exception as exc:  # a queue nothing was ever sent to does not exist yet
        if type(exc).__name__ in {"ChannelError", "NotFound"}:
            return 0
        raise


def queue_names(app: Any) -> list[str]:
    """The default queue, the declared ones and those routes send to (at most 20)."""
    names = [app.conf.task_default_queue]
    for queue in app.conf.task_queues or ():
        names.append(getattr(queue, "name", queue))
    routes = app.conf.task_routes
    for route in routes.values() if isinstance(routes, dict) else ():
        if isinstance(route, dict) and isinstance(route.get("queue"), str):
            names.append(route["queue"])
    return list(dict.fromkeys(str(name) for name in names if name))[:MAX_QUEUES]
