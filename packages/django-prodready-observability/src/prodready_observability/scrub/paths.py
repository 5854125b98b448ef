"""Secrets in URL paths: the parts a URL pattern captures under a secret name.

``path("reset/<uidb64>/<token>/", ...)`` (Django's own password reset) puts a token in
the path itself, where no ``name=value`` pair gives it away. The path is resolved
against the URLconf, and the values of the keyword arguments it captures whose names
are secret keys (``token``, ``api_key``; not ``uidb64`` or ``pk``) are masked wherever
that path's request is written: log lines, Sentry events, the access log.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from prodready_observability.scrub.mask import FILTERED

# Set on a request once its secret path values are known (one resolve per request).
_ATTRIBUTE = "_prodready_path_secrets"
# What may stand on each side of a part of a path where it is written.
_BEFORE = r"(?<![^\s/\"'=(\[<])"
_AFTER = r"(?![^\s/?#\"'&)\]>,;])"


def path_secrets(
    path: str, is_secret: Callable[[str], bool], urlconf: str | None = None
) -> tuple[str, ...]:
    """The values in ``path`` that its URL pattern captures under a secret name."""
    from django.urls import resolve

    try:
        match = resolve(path, urlconf)
    except Exception:  # no pattern matches (a 404), or no URLconf to ask: nothing captured
        return ()
    return captured_secrets(match, is_secret)


def request_path_secrets(request: Any, is_secret: Callable[[str], bool]) -> tuple[str, ...]:
    """:func:`path_secrets` of a request, from the match Django made when it has one."""
    known = getattr(request, "__dict__", {}).get(_ATTRIBUTE)
    if known is not None:
        return known  # type: ignore[no-any-return]
    match = getattr(request, "resolver_match", None)
    if match is not None:
        found = captured_secrets(match, is_secret)
    else:
        path = getattr(request, "path_info", None)
        urlconf = getattr(request, "urlconf", None)
        found = path_secrets(path, is_secret, urlconf) if isinstance(path, str) else ()
    with contextlib.suppress(AttributeError):  # not a request of Django's: not kept
        setattr(request, _ATTRIBUTE, found)
    return found


def captured_secrets(match: Any, is_secret: Callable[[str], bool]) -> tuple[str, ...]:
    """The text of every keyword argument of a ``ResolverMatch`` with a secret name."""
    captured = getattr(match, "captured_kwargs", None)
    if not isinstance(captured, dict):
        captured = getattr(match, "kwargs", None) or {}
    values: set[str] = set()
    for name, value in captured.items():
        if isinstance(name, str) and value not in (None, "") and is_secret(name):
            text = str(value)
            values.update((text, quote(text, safe="")))
    return tuple(sorted(values, key=len, reverse=True))  # the longest first


def path_masker(values: tuple[str, ...]) -> Callable[[str], str]:
    """A function masking ``values`` wherever they stand as a part of a path in a text.

    As a part of a path: after a ``/`` (or a blank, a quote, ``=``) and before a ``/``,
    ``?``, ``#``, a blank or a quote, so a short value (``42``) does not mask every ``42``
    of a timestamp.
    """
    alternatives = "|".join(re.escape(value) for value in values)
    pattern = re.compile(rf"{_BEFORE}(?:{alternatives}){_AFTER}")

    def mask(text: str) -> str:
        if not any(value in text for value in values):
            return text
        return pattern.sub(FILTERED, text)

    return mask


def mask_strings(value: Any, mask: Callable[[str], str]) -> Any:
    """``value`` (text, or lists and dicts of it) with ``mask`` applied to every string."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {key: mask_strings(item, mask) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_strings(item, mask) for item in value]
    return value
