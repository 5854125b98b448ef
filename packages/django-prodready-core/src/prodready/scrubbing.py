"""Replace known secret values wherever they appear in an error-tracking event.

For ``prodready_scrub_event`` implementations that know their package's secrets
(encryption keys, storage credentials) by value rather than by name.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FILTERED = "[Filtered]"


def replace_secrets(event: Any, values: Iterable[str]) -> Any:
    """``event`` with every occurrence of ``values`` replaced, walking dicts and lists.

    Dicts are changed in place; lists and strings are returned anew.
    """
    values = [value for value in values if value]
    return _replace(event, values) if values else event


def _replace(item: Any, values: list[str]) -> Any:
    if isinstance(item, dict):
        for key, value in item.items():
            item[key] = _replace(value, values)
        return item
    if isinstance(item, list):
        return [_replace(value, values) for value in item]
    if isinstance(item, str):
        for value in values:
            if value in item:
                item = item.replace(value, FILTERED)
    return item
