"""Masking secrets inside free text: messages, exception values, reprs, source lines.

What is found, each by its own expression:

- credentials in URLs (``postgresql://user:pass@host`` -> ``postgresql://[Filtered]@host``);
- well-known token shapes (``prodready_observability.scrub.tokens``);
- ``name=value`` and ``name: value`` pairs whose name is a secret key
  (``prodready_observability.scrub.pairs``); only the value is masked;
- card numbers that pass the Luhn check.

URLs and pairs are found from their separators with ``str.find``; token shapes
and cards by expressions that start with a literal or a digit. Text without a
secret, which is nearly all of it, costs a few scans in C, and text seen clean
before costs a set lookup. Anything else, an error message, a path, an order id,
is left as it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from prodready_observability.scrub.keys import KeyMatcher
from prodready_observability.scrub.mask import FILTERED, mask_spans
from prodready_observability.scrub.pairs import secret_values
from prodready_observability.scrub.tokens import CARD_CANDIDATE, TOKEN_SHAPES, is_card_number
from prodready_observability.scrub.urls import url_credentials

_TOKENS = re.compile("|".join(TOKEN_SHAPES.values()))
_CARDS = re.compile(CARD_CANDIDATE)
# No built-in secret fits in fewer characters ("pwd=x").
MIN_SECRET_TEXT = 5
# Text already found clean is remembered, up to this many: the same source lines,
# paths and reprs come back in event after event. Text with a secret is never kept.
CLEAN_CACHE_SIZE = 8192
CLEAN_CACHE_MAX_LENGTH = 500

Span = tuple[int, int]


class TextScrubber:
    """Masks secrets in strings, with the key names of a :class:`KeyMatcher`."""

    def __init__(self, keys: KeyMatcher, extra_patterns: Iterable[str] = ()) -> None:
        self._keys = keys
        extra = list(extra_patterns)
        self._extra = re.compile("|".join(f"(?:{p})" for p in extra)) if extra else None
        self._clean: set[str] = set()

    def scrub(self, text: str) -> str:
        if text in self._clean or (len(text) < MIN_SECRET_TEXT and self._extra is None):
            return text
        spans = self._spans(text) if len(text) >= MIN_SECRET_TEXT else []
        masked = mask_spans(text, spans) if spans else text
        found = len(spans)
        if self._extra is not None:
            masked, extra_found = self._extra.subn(FILTERED, masked)
            found += extra_found
        if found:
            return masked
        if len(text) <= CLEAN_CACHE_MAX_LENGTH:
            if len(self._clean) >= CLEAN_CACHE_SIZE:
                self._clean.clear()
            self._clean.add(text)
        return text

    def forget_clean_text(self) -> None:
        """Empty the cache of text found clean (it refills as events come)."""
        self._clean.clear()

    def _spans(self, text: str) -> list[Span]:
        spans = [*_tokens(text), *_cards(text)]
        urls = list(url_credentials(text)) if "://" in text else []
        if "=" in text or ":" in text:
            # "user:password@" inside a URL is masked with the URL, host kept.
            spans.extend(
                span
                for span in secret_values(text, self._keys.is_secret)
                if not any(start <= span[0] < end for start, end in urls)
            )
        spans.extend(urls)
        return spans


def _tokens(text: str) -> Iterator[Span]:
    position = 0
    while (match := _TOKENS.search(text, position)) is not None:
        start = match.start()
        if start and text[start].isalnum() and _is_word_char(text[start - 1]):
            position = start + 1  # inside a longer word ("disk-..."): not a token
            continue
        yield match.span()
        position = match.end()


def _cards(text: str) -> Iterator[Span]:
    for match in _CARDS.finditer(text):
        if is_card_number(match[0]):
            yield match.span()


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"
