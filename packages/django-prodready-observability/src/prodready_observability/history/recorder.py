"""What a finished request and a view's exception add to the history: sums in memory.

Called from observability's ``prodready_request_finished`` and the middleware's
``process_exception`` when ``PRODREADY_ANALYTICS_HISTORY`` is on. No database, cache or
network here: the background thread writes the sums (see :mod:`.flusher`).
"""

from __future__ import annotations

import hashlib
import time
from typing import TYPE_CHECKING

from prodready_observability.analytics.store import bucket_of, recorder
from prodready_observability.context import user_id_of
from prodready_observability.history import buffer, flusher
from prodready_observability.history.location import raised_at
from prodready_observability.history.options import Options, options

if TYPE_CHECKING:
    from django.http import HttpRequest


def record_finished(
    request: HttpRequest, method: str, route: str, status: int, duration: float
) -> None:
    """Into the dashboard's analytics store, and, when it is on, the history: one clock
    reading for both, so that they count the request in the same minute."""
    bucket = bucket_of(duration)
    now = time.time()
    recorder.record(route, status, duration, now=now, bucket=bucket)
    current = options()
    if current.history:
        record_request(request, route, method, status, duration, bucket, current, now)


def record_request(
    request: HttpRequest,
    route: str,
    method: str,
    status: int,
    duration: float,
    bucket: int,
    current: Options,
    now: float,
) -> None:
    flusher.ensure_started()
    user_id = user_id_of(request)
    buffer.add_request(now, route, status, duration, bucket, user_id, current.max_routes)
    duration_ms = duration * 1000
    if duration_ms > current.slow_request_ms:
        request_id = str(getattr(request, "prodready_request_id", ""))
        buffer.add_slow_request(
            (now, route, method, status, duration_ms, user_id or "", request_id)
        )


def record_exception(request: HttpRequest, route: str, exception: BaseException) -> None:
    name = f"{type(exception).__module__}.{type(exception).__qualname__}"
    location = raised_at(exception.__traceback__)
    fingerprint = hashlib.sha256(f"{name}\0{location}".encode()).hexdigest()
    request_id = str(getattr(request, "prodready_request_id", ""))
    buffer.add_exception(time.time(), fingerprint, name, location, route, request_id)
