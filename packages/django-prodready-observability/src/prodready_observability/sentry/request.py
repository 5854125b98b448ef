"""Request headers in Sentry events: only an allowlist keeps its values.

A header that is not on the allowlist keeps its name (so you can see it was sent)
and loses its value, because custom headers carry credentials under names no
pattern can guess (``X-Acme-Signature``, ``X-Internal-Hmac``). A header whose name
matches a secret key pattern is masked even when allowlisted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from prodready_observability.scrub import FILTERED, Scrubber


def scrub_headers(request: dict[str, Any], allowlist: frozenset[str], scrubber: Scrubber) -> None:
    """Mask, in ``request["headers"]``, every header not in ``allowlist`` (lower-case)."""
    headers = request.get("headers")
    if isinstance(headers, Mapping):
        request["headers"] = {
            name: _kept_or_masked(name, value, allowlist, scrubber)
            for name, value in headers.items()
        }
    elif isinstance(headers, list):  # some integrations send [name, value] pairs
        request["headers"] = [
            [pair[0], _kept_or_masked(pair[0], pair[1], allowlist, scrubber)]
            for pair in _pairs(headers)
        ]


def _kept_or_masked(name: Any, value: Any, allowlist: frozenset[str], scrubber: Scrubber) -> Any:
    if isinstance(name, str) and name.lower() in allowlist and not scrubber.is_secret_key(name):
        return value  # still searched for secrets with the rest of the event
    return FILTERED


def _pairs(headers: Iterable[Any]) -> Iterable[tuple[Any, Any]]:
    for pair in headers:
        if isinstance(pair, (list, tuple)) and len(pair) == 2:
            yield pair[0], pair[1]
