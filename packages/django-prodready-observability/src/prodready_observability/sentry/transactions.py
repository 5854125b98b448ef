"""Which transactions are noise: health probes, metrics scrapes, static files."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit


def transaction_path(event: dict[str, Any]) -> str | None:
    """The request path a transaction event was made for, if it was made for one."""
    request = event.get("request")
    if isinstance(request, dict) and isinstance(request.get("url"), str):
        return urlsplit(request["url"]).path or "/"
    name = event.get("transaction")
    if isinstance(name, str) and name.startswith("/"):
        return name
    return None


def is_ignored_path(path: str, ignored: Iterable[str] | str) -> bool:
    """Whether ``path`` is one of ``ignored`` or below it, segment by segment.

    ``"/health"`` covers ``/health`` and ``/health/ready``, not ``/healthy``.
    """
    return path_matcher(ignored)(path)


def path_matcher(ignored: Iterable[str] | str) -> Callable[[str], bool]:
    """:func:`is_ignored_path` for one list of paths, prepared once for many paths."""
    if isinstance(ignored, str):  # one path instead of a list (prodready.E002)
        ignored = [ignored]
    bases = frozenset(prefix.rstrip("/") for prefix in ignored)
    below = tuple(base + "/" for base in bases)
    return lambda path: path in bases or path.startswith(below)
