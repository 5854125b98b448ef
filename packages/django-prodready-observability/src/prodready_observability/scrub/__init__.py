"""Secret masking shared by everything that sends data out of the process.

Sentry events use it (``prodready_observability.sentry``), and so can structured
logs, so a secret is masked the same way everywhere::

    from prodready_observability.scrub import scrub_mapping, scrub_text

    scrub_text("postgresql://app:hunter2@db/app")  # 'postgresql://[Filtered]@db/app'
    scrub_mapping({"api_token": "abc", "order": "ORD-1042"})
    # {'api_token': '[Filtered]', 'order': 'ORD-1042'}

The module-level functions use the project's ``PRODREADY_SENTRY_SCRUB_KEYS`` and
``PRODREADY_SENTRY_SCRUB_PATTERNS`` on top of the built-in rules.

Three modules: ``keys.py`` (which names are secret), ``values.py`` (masking secrets in
text, URLs, SQL and request paths) and ``walk.py`` (nested data, and the scrubber that
puts them together).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prodready_observability.scrub.values import FILTERED, scrub_sql
from prodready_observability.scrub.walk import Scrubber, get_scrubber

__all__ = [
    "FILTERED",
    "Scrubber",
    "get_scrubber",
    "scrub_mapping",
    "scrub_sql",
    "scrub_text",
    "scrub_value",
]


def scrub_text(text: str) -> str:
    """``text`` with every secret it contains masked."""
    return get_scrubber().text(text)


def scrub_mapping(mapping: Mapping[Any, Any]) -> dict[Any, Any]:
    """A copy of ``mapping`` with secret keys' values masked and all text scrubbed."""
    return get_scrubber().mapping(mapping)


def scrub_value(value: Any) -> Any:
    """``value`` (text, mapping, list, nested) with secrets masked."""
    return get_scrubber().value(value)
