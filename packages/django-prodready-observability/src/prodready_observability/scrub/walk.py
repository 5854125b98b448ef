"""Recursive masking of nested data: dicts in lists in dicts, as deep as they go.

A value under a secret key is masked whole, whatever it is (a string, a dict of
credentials); every other string is searched for secrets in its text. This is what
finds a password in a copy of ``settings.DATABASES`` three levels down, an API key
in a copy of ``os.environ``, or a token in a local copy of ``request.POST``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from prodready.conf import derived_from
from prodready_observability.conf import conf
from prodready_observability.scrub.keys import KeyMatcher
from prodready_observability.scrub.values import FILTERED, TextScrubber

# Deeper than any real event; stops self-referencing data without a RecursionError.
MAX_DEPTH = 32
# Shorter keys are names, not secrets (a key that is a token is 16+ characters).
MIN_SECRET_LENGTH = 16
_SCALARS = frozenset({int, float, bool, type(None)})


class Scrubber:
    """Masks secrets in text, mappings and anything nested in them."""

    def __init__(self, extra_keys: Iterable[str] = (), extra_patterns: Iterable[str] = ()) -> None:
        self.keys = KeyMatcher(extra_keys)
        self._text = TextScrubber(self.keys, extra_patterns)

    def is_secret_key(self, name: str) -> bool:
        return self.keys.is_secret(name)

    def text(self, text: str) -> str:
        return self._text.scrub(text)

    def forget_clean_text(self) -> None:
        """Empty the cache of text found clean, as if no event had been seen yet."""
        self._text.forget_clean_text()

    def value(self, value: Any, depth: int = 0) -> Any:
        """``value`` with secrets masked; containers are copied, other objects returned."""
        kind = type(value)  # exact types first: events are made of these, ABCs are slow
        if kind is str:
            return self._text.scrub(value)
        if kind in _SCALARS:
            return value
        if depth >= MAX_DEPTH:
            return FILTERED
        if kind is dict or isinstance(value, Mapping):
            return self.mapping(value, depth)
        if kind is list or isinstance(value, (tuple, set, frozenset)):
            return [self._item(item, depth + 1) for item in value]
        if isinstance(value, str):
            return self._text.scrub(value)
        return value

    def mapping(self, mapping: Mapping[Any, Any], depth: int = 0) -> dict[Any, Any]:
        """A copy of ``mapping``: values under secret keys masked, the rest scrubbed."""
        scrubbed: dict[Any, Any] = {}
        is_secret = self.keys.is_secret
        text = self._text.scrub
        depth += 1
        for key, value in mapping.items():
            if type(key) is str:
                if is_secret(key):
                    # None or "" says "not set", which helps debugging and reveals nothing.
                    unset = value is None or (isinstance(value, str) and not value)
                    scrubbed[key] = value if unset else FILTERED
                    continue
                if len(key) >= MIN_SECRET_LENGTH:
                    key = text(key)
            kind = type(value)  # the commonest cases inline: this loop is the hot path
            if kind is str:
                scrubbed[key] = text(value)
            elif kind in _SCALARS:
                scrubbed[key] = value
            else:
                scrubbed[key] = self.value(value, depth)
        return scrubbed

    def _item(self, value: Any, depth: int) -> Any:
        # value() without a call for the commonest cases: text and scalars.
        kind = type(value)
        if kind is str:
            return self._text.scrub(value)
        if kind in _SCALARS:
            return value
        return self.value(value, depth)


def mask_strings(value: Any, mask: Callable[[str], str]) -> Any:
    """``value`` (text, or lists and dicts of it) with ``mask`` applied to every string."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {key: mask_strings(item, mask) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_strings(item, mask) for item in value]
    return value


@derived_from("PRODREADY_SENTRY_SCRUB_KEYS", "PRODREADY_SENTRY_SCRUB_PATTERNS")
def get_scrubber() -> Scrubber:
    """The scrubber for the current settings, kept until they change."""
    return Scrubber(conf.SENTRY_SCRUB_KEYS, conf.SENTRY_SCRUB_PATTERNS)
