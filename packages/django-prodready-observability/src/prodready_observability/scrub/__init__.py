"""Secret masking shared by everything that sends data out of the process.

Sentry events use it (``prodready_observability.sentry``), and so can structured
logs, so a secret is masked the same way everywhere::

    from prodready_observability.scrub import scrub_mapping, scrub_text

    scrub_text("postgresql://app:hunter2@db/app")  # 'postgresql://[Filtered]@db/app'
    scrub_mapping({"api_token": "abc", "order": "ORD-1042"})
    # {'api_token': '[Filtered]', 'order': 'ORD-1042'}

The module-level functions use the project's ``PRODREADY_SENTRY_SCRUB_KEYS`` and
``PRODREADY_SENTRY_SCRUB_PATTERNS`` on top of the built-in rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from prodready_observability.conf import conf
from prodready_observability.scrub.mask import FILTERED
from prodready_observability.scrub.sql import scrub_sql
from prodready_observability.scrub.walk import Scrubber

__all__ = [
    "FILTERED",
    "Scrubber",
    "get_scrubber",
    "scrub_mapping",
    "scrub_sql",
    "scrub_text",
    "scrub_value",
]


def get_scrubber() -> Scrubber:
    """The scrubber for the current settings (built once per distinct settings)."""
    return _scrubber_for(tuple(conf.SENTRY_SCRUB_KEYS), tuple(conf.SENTRY_SCRUB_PATTERNS))


@lru_cache(maxsize=8)
def _scrubber_for(extra_keys: tuple[str, ...], extra_patterns: tuple[str, ...]) -> Scrubber:
    return Scrubber(extra_keys, extra_patterns)


def scrub_text(text: str) -> str:
    """``text`` with every secret it contains masked."""
    return get_scrubber().text(text)


def scrub_mapping(mapping: Mapping[Any, Any]) -> dict[Any, Any]:
    """A copy of ``mapping`` with secret keys' values masked and all text scrubbed."""
    return get_scrubber().mapping(mapping)


def scrub_value(value: Any) -> Any:
    """``value`` (text, mapping, list, nested) with secrets masked."""
    return get_scrubber().value(value)
