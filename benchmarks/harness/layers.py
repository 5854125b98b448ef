"""Where a request's time goes, middleware by middleware, inside one Django process.

:func:`time_layers` puts a probe between every two middleware of a ``MIDDLEWARE`` list
and calls the WSGI handler directly, with no server or network in between. Each probe
times everything below it (inclusive time), so one middleware's own time is the
difference between the probe above it and the probe below it, measured on the same
requests: noise from the rest of the machine falls on every layer alike.

What a middleware's time includes: its own code on the way in and out, and whatever
it triggers first. ``request.user`` is lazy, so the first middleware to read it pays
for loading the user that the view would otherwise load. Hooks that Django calls
later (``process_view``) count towards the view, the innermost layer.
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

# Inclusive seconds seen by probe N (above middleware N; the last one is above the view).
_inclusive: dict[int, float] = {}


class _Probe:
    index = 0

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        started = time.perf_counter()
        try:
            return self.get_response(request)
        finally:
            elapsed = time.perf_counter() - started
            _inclusive[self.index] = _inclusive.get(self.index, 0.0) + elapsed


def __getattr__(name: str) -> Any:
    # ``harness.layers.Probe3`` is the probe above middleware 3, for a MIDDLEWARE entry.
    if name.startswith("Probe") and name[5:].isdigit():
        return type(name, (_Probe,), {"index": int(name[5:])})
    raise AttributeError(name)


def time_layers(
    stacks: Mapping[str, list[str]],
    path: str,
    headers: Mapping[str, str],
    requests: int,
    rounds: int = 5,
) -> dict[str, list[tuple[str, float]]]:
    """Each middleware's own microseconds per GET of ``path``, the view's and the total,
    for each of ``stacks`` (``MIDDLEWARE`` lists, by label), in alternating batches; the
    best of ``rounds`` counts. Django must be set up. Fails unless the page answers 200."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    handlers = {}
    for label, names in stacks.items():
        probed = [item for n, name in enumerate(names) for item in (f"{__name__}.Probe{n}", name)]
        with override_settings(MIDDLEWARE=[*probed, f"{__name__}.Probe{len(names)}"]):
            handlers[label] = WSGIHandler()
    view = "(the view, its process_view hooks and template)"
    layers = {label: [*names, view] for label, names in stacks.items()}
    best = {label: [float("inf")] * len(names) for label, names in layers.items()}
    total = dict.fromkeys(stacks, float("inf"))
    for _ in range(rounds + 1):  # the first round warms up
        for label, handler in handlers.items():
            _inclusive.clear()
            started = time.perf_counter()
            for _ in range(requests):
                _call(handler, path, headers)
            total[label] = min(total[label], (time.perf_counter() - started) / requests)
            inclusive = [_inclusive.get(n, 0.0) / requests for n in range(len(layers[label]))]
            for n, seconds in enumerate(inclusive):
                below = inclusive[n + 1] if n + 1 < len(inclusive) else 0.0
                best[label][n] = min(best[label][n], seconds - below)
    return {
        label: [
            *((name, seconds * 1e6) for name, seconds in zip(names, best[label], strict=True)),
            ("(total, with the WSGI handler)", total[label] * 1e6),
        ]
        for label, names in layers.items()
    }


def _call(handler: Any, path: str, headers: Mapping[str, str]) -> None:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for name, value in headers.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    statuses: list[str] = []
    body = handler(environ, lambda status, headers, exc_info=None: statuses.append(status))
    try:
        b"".join(body)
    finally:
        body.close()
    if not statuses[0].startswith("200"):
        raise SystemExit(f"error: {path} answered {statuses[0]}")
