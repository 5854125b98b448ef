"""Masking secrets in values: text, URLs, SQL and the parts of a request's path.

One module for every way a secret is found inside a value (which names are secret is
``keys.py``; walking nested data is ``walk.py``), in the order they build on each other:

- the mask, and putting it over spans of text;
- well-known token shapes (vendor prefixes, JWTs, PEM keys) and card numbers (Luhn);
- credentials in URLs of any scheme (``postgresql://user:pass@``);
- ``name=value`` and ``name: value`` pairs whose name is a secret key;
- literals in SQL, replaced by ``?``;
- :class:`TextScrubber`, which puts those together for free text;
- secrets in URL paths: what a URL pattern captures under a secret name
  (``reset/<uidb64>/<token>/``), found by resolving the path against the URLconf.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import quote

from prodready_observability.scrub.keys import KeyMatcher

# --- The mask ---------------------------------------------------------------------
# The mask that replaces a secret, and putting it in place.

# Sentry's own placeholder, so masked values read the same as the SDK's.
FILTERED = "[Filtered]"


def mask_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with every span (merged where they overlap) replaced by the mask."""
    parts: list[str] = []
    position = 0
    for start, end in sorted(spans):
        if end <= position:
            continue  # inside a span already masked
        if start >= position:
            parts.append(text[position:start])
            parts.append(FILTERED)
        # else: overlaps the previous span, which now reaches to this one's end
        position = end
    parts.append(text[position:])
    return "".join(parts)


# --- Token shapes -----------------------------------------------------------------
# Well-known shapes of credentials, recognised wherever they appear in text.
#
# Each shape is specific enough (a vendor prefix, a fixed length, a structure) that
# ordinary text does not match it. Card numbers are the exception: any long run of
# digits could be one, so a candidate is only masked when it passes the Luhn check.

# name -> regular expression. Every shape starts with a literal character, so the
# combined expression is searched at C speed for those characters only; a shape
# that starts with a letter or digit must also start a word (checked by the text
# scrubber, as ``\b`` would, but without slowing the search).
TOKEN_SHAPES: dict[str, str] = {
    # The whole block, or up to the end of the text if it was cut short.
    "pem_private_key": (
        r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY-----(?s:.*?)(?:-----END[A-Z0-9 ]*PRIVATE KEY-----|\Z)"
    ),
    "aws_access_key_id": (
        r"A(?:KIA|SIA|BIA|CCA|GPA|IDA|IPA|NPA|NVA|PKA|ROA|SCA)[A-Z0-9]{16}(?![A-Za-z0-9])"
    ),
    "google_api_key": r"AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])",
    "stripe_secret_key": r"sk_(?:live|test)_[0-9A-Za-z]{16,}|rk_(?:live|test)_[0-9A-Za-z]{16,}",
    "stripe_webhook_secret": r"whsec_[0-9A-Za-z+/=]{24,}",
    "github_token": r"gh[pousr]_[0-9A-Za-z]{36,}|github_pat_[0-9A-Za-z_]{22,}",
    "gitlab_token": r"glpat-[0-9A-Za-z_-]{20,}",
    "slack_token": r"xox[abposr]-[0-9A-Za-z-]{10,}",
    "slack_webhook": r"hooks\.slack\.com/services/[0-9A-Za-z/_-]+",
    "openai_anthropic_key": r"sk-(?:proj-|ant-[0-9a-z]+-)?[0-9A-Za-z_-]{20,}",
    "sendgrid_key": r"SG\.[0-9A-Za-z_-]{22}\.[0-9A-Za-z_-]{43}",
    "npm_token": r"npm_[0-9A-Za-z]{36}",
    "sentry_auth_token": r"sntr[ysu]_[0-9A-Za-z_=+/-]{20,}",
    "jwt": r"eyJ[0-9A-Za-z_-]{6,}\.eyJ[0-9A-Za-z_-]{6,}\.[0-9A-Za-z_-]*",
    # A bearer credential must look like one (a digit or punctuation), so that
    # "bearer authentication failed" stays readable.
    "bearer_credential": (
        r"Bearer\s+(?=[\w.~+/=-]*[0-9.~+/=-])[\w.~+/=-]{8,}"
        r"|bearer\s+(?=[\w.~+/=-]*[0-9.~+/=-])[\w.~+/=-]{8,}"
        r"|BEARER\s+(?=[\w.~+/=-]*[0-9.~+/=-])[\w.~+/=-]{8,}"
    ),
}

# 13 to 19 digits, optionally grouped by spaces or dashes, starting like a card
# network (2-6) and not glued to other letters or digits. The look-behind comes
# after the first digit so that the search only stops at a 2 to 6.
CARD_CANDIDATE = r"[2-6](?<![0-9A-Za-z][2-6])[0-9](?:[ -]?[0-9]){11,17}(?![0-9A-Za-z])"


def passes_luhn(digits: str) -> bool:
    """Whether ``digits`` (digits only) has a valid Luhn check digit."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def is_card_number(candidate: str) -> bool:
    digits = candidate.replace(" ", "").replace("-", "")
    return 13 <= len(digits) <= 19 and passes_luhn(digits)


# --- Credentials in URLs ----------------------------------------------------------
# Credentials inside URLs of any scheme: ``postgresql://user:pass@``, ``redis://:pass@``.
#
# The whole user-info part is masked, not only the password: a user name is often a
# credential too (``https://<token>@github.com/...``, Sentry DSNs).

# What follows "://": user [:password] @. The password may hold "/" and ":" (people
# do not always percent-encode), but not "?" or "#", which would end the authority.
_USERINFO = re.compile(r"[^\s/?#@:]*+(?::[^\s?#@]*+)?@")
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")


def url_credentials(text: str) -> Iterator[tuple[int, int]]:
    """Start and end of every non-empty user-info part of a URL in ``text``."""
    # Found from "://" with str.find: far quicker than a pattern that could start
    # at every letter.
    separator = text.find("://")
    while separator != -1:
        start = separator + 3
        if separator and text[separator - 1] in _SCHEME_CHARS:
            userinfo = _USERINFO.match(text, start)
            if userinfo is not None and userinfo.end() - 1 > start:
                yield start, userinfo.end() - 1
        separator = text.find("://", start)


# --- name=value pairs -------------------------------------------------------------
# ``name=value`` and ``name: value`` pairs in text: the value of a secret name.
#
# ``password=hunter2``, ``"api_token": "..."``, ``Authorization: Bearer ...``,
# ``?access_token=...&``, ``--password=...``: only the value is masked, and only
# when the name is a secret key. Pairs are found from their separator with
# ``str.find`` (separators are few), then the name is read backwards from it, as a
# forward match in the reversed text.

# The value after a secret name: a mask already there (scrubbing twice changes
# nothing), a whole PEM block, a grouped card number, an authorization scheme with
# its credential, a quoted string, or a bare word.
_VALUE = re.compile(
    "|".join(
        (
            re.escape(FILTERED),
            TOKEN_SHAPES["pem_private_key"],
            CARD_CANDIDATE,
            r"(?i:bearer|basic|token|digest)[ \t]+[^\s\"',;&)}\]]+",
            r"(?P<q>[\"'])[^\"'\n]*(?P=q)",
            r"[^\s\"',;&)}\]]+",
        )
    )
)
# A value that holds no secret: a mask or a placeholder (``password = ?`` in SQL).
_NOT_SECRET = re.compile(rf"{re.escape(FILTERED)}|\?|%s|\$\d+")
# Read in the reversed text: blanks, an optional closing quote, then the name.
_REVERSED_NAME = re.compile(r"[ \t]*+[\"']?+([\w.-]++)")


def secret_values(text: str, is_secret: Callable[[str], bool]) -> Iterator[tuple[int, int]]:
    """Start and end of the value of every pair in ``text`` whose name is a secret."""
    reversed_text = ""  # made on the first separator: names are read backwards in it
    for separator in ("=", ":"):
        position = text.find(separator)
        while position != -1:
            following = text[position + 1 : position + 3]
            if not (following.startswith("=") or following == "//"):  # "==", "://"
                reversed_text = reversed_text or text[::-1]
                name = _name_before(reversed_text, len(text) - position)
                if name is not None and is_secret(name):
                    span = _value_after(text, position + 1)
                    if span is not None:
                        yield span
            position = text.find(separator, position + 1)


def _name_before(reversed_text: str, position: int) -> str | None:
    """The name that ends where ``position`` starts in the reversed text."""
    match = _REVERSED_NAME.match(reversed_text, position)
    if match is None:
        return None
    name = match[1][::-1].lstrip("-.")  # "--password=..."
    if not name or not (name[0].isalpha() or name[0] == "_"):
        return None
    return name


def _value_after(text: str, start: int) -> tuple[int, int] | None:
    while start < len(text) and text[start] in " \t":
        start += 1
    value = _VALUE.match(text, start)
    if value is None or _NOT_SECRET.fullmatch(value[0]):
        return None
    quoted = 1 if value["q"] else 0  # the quotes stay around the mask
    return value.start() + quoted, value.end() - quoted


# --- SQL literals -----------------------------------------------------------------
# Literals in SQL: a query keeps its shape, the values it carried are replaced by ``?``.
#
# Django passes parameters separately, but raw SQL, ``extra()``, ``RawSQL`` and
# drivers that interpolate (``mogrify``) put values, tokens and e-mail addresses
# straight into the statement text.

_LITERALS = re.compile(
    r"""
    (?P<escaped>[Ee]'(?:[^'\\]|\\.|'')*'?)                     # E'it\'s', backslash escapes
    | (?P<string>[NnBbXx]?'(?:[^']|'')*'?)                    # 'it''s', N'..', cut short
    | (?P<dollar>\$(?P<tag>(?:[A-Za-z_]\w*)?)\$(?s:.*?)\$(?P=tag)\$)  # $$text$$, $tag$text$tag$
    | (?<![\w$."])(?P<number>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)(?![\w"])
    """,
    re.VERBOSE,
)


def scrub_sql(sql: str) -> str:
    """``SELECT * FROM t WHERE token = 'abc' AND n = 5`` -> ``... token = ? AND n = ?``."""
    return _LITERALS.sub("?", sql)


# --- Free text --------------------------------------------------------------------
# Masking secrets inside free text: messages, exception values, reprs, source lines.
#
# What is found, each by its own expression:
#
# - credentials in URLs (``postgresql://user:pass@host`` -> ``postgresql://[Filtered]@host``);
# - well-known token shapes (above);
# - ``name=value`` and ``name: value`` pairs whose name is a secret key
#   (above); only the value is masked;
# - card numbers that pass the Luhn check.
#
# URLs and pairs are found from their separators with ``str.find``; token shapes
# and cards by expressions that start with a literal or a digit. Text without a
# secret, which is nearly all of it, costs a few scans in C, and text seen clean
# before costs a set lookup. Anything else, an error message, a path, an order id,
# is left as it was.

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


# --- URL path arguments -----------------------------------------------------------
# Secrets in URL paths: the parts a URL pattern captures under a secret name.
#
# ``path("reset/<uidb64>/<token>/", ...)`` (Django's own password reset) puts a token in
# the path itself, where no ``name=value`` pair gives it away. The path is resolved
# against the URLconf, and the values of the keyword arguments it captures whose names
# are secret keys (``token``, ``api_key``; not ``uidb64`` or ``pk``) are masked wherever
# that path's request is written: log lines, Sentry events, the access log.

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
