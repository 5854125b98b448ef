"""JSON from a client, made fit for every database: ``json.loads`` accepts more than
PostgreSQL stores.

- NaN and Infinity (and numbers too big for a float, such as ``1e400``) are not JSON
  values a database keeps: refused.
- Nesting deeper than :data:`MAX_DEPTH` is refused: real reports are two or three levels
  deep, and every later read of a deeper document costs recursion.
- NUL characters are refused by PostgreSQL in text and jsonb: removed.
- Lone surrogates (``"\\ud800"``) cannot be encoded as UTF-8: replaced.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 8


class NotStorable(ValueError):
    """A body that is not JSON, or not JSON a database can keep."""


def loads(body: bytes) -> Any:
    """The parsed ``body``, cleaned with :func:`text`; :exc:`NotStorable` otherwise."""
    try:
        data = json.loads(body, parse_constant=_no_constant, parse_float=_finite_float)
    except NotStorable:
        raise
    except RecursionError:
        raise NotStorable(f"the body nests deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:  # not JSON, not UTF-8, or an integer of thousands of digits
        raise NotStorable(f"the body is not JSON: {exc}") from None
    return _clean(data, 0)


def text(value: str) -> str:
    """``value`` without NUL characters, its lone surrogates replaced."""
    return value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def _clean(value: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise NotStorable(f"the body nests deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        return text(value)
    if isinstance(value, list):
        return [_clean(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {text(key): _clean(item, depth + 1) for key, item in value.items()}
    return value  # a finite number, a boolean or None


def _no_constant(name: str) -> Any:
    raise NotStorable(f"{name} is not a JSON number")


def _finite_float(literal: str) -> float:
    number = float(literal)
    if not math.isfinite(number):
        raise NotStorable(f"the number {literal[:20]} is too large")
    return number
