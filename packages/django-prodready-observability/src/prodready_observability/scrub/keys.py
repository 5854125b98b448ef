"""Which keys name a secret: matched by pattern on a normalised name, not by exact name.

A name is normalised before matching: camelCase is split, everything is lower-cased
and every run of non-alphanumerics becomes one space, so ``aws_secret_access_key``,
``X-Api-Key``, ``apiKey`` and ``HTTP_X_API_KEY`` all read as words
(``"x api key"``) and one pattern covers every spelling.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Each pattern is searched in the normalised name; "\b" is a word edge.
BUILTIN_KEY_PATTERNS: tuple[str, ...] = (
    r"passw(?:or)?d|passphrase|\bpass\b|\bpwd\b",
    r"secret",  # client_secret, aws_secret_access_key, SECRET_KEY
    r"token",  # api_token, csrftoken, access_token
    r"api ?key",  # api_key, x-api-key, apiKey, APIKEY
    r"\b(?:access|private|signing|encryption|master|license|account|ssh|hmac|fernet) ?key\b",
    r"\bauth(?:orization|entication)?\b",  # auth, Authorization; not "author"
    r"credential",
    r"cookie",
    r"session",  # sessionid, session_key
    r"csrf|xsrf",
    r"signature|\bsig\b",
    r"\bdsn\b",
    r"\bjwt\b|bearer",
    r"\b(?:otp|totp|pin|cvv|cvc|ssn|iban)\b",
    r"card ?number|\bcc ?number\b",
)

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[^a-z0-9]+")
_CACHE_LIMIT = 4096


def normalise_key(name: str) -> str:
    """``"X-Api-Key"`` -> ``"x api key"``; ``"clientSecret"`` -> ``"client secret"``."""
    spaced = _CAMEL_BOUNDARY.sub(" ", name).lower()
    return _SEPARATORS.sub(" ", spaced).strip()


class KeyMatcher:
    """Tells whether a key names a secret, from the built-in and extra patterns.

    Extra patterns (``PRODREADY_SENTRY_SCRUB_KEYS``) ignore case and are searched in
    the name as written and in its normalised form, so ``acme_hmac`` and
    ``acme hmac`` both catch a key spelled ``X-Acme-Hmac``.
    """

    def __init__(self, extra_patterns: Iterable[str] = ()) -> None:
        self._builtin = _compile(BUILTIN_KEY_PATTERNS)
        extra = list(extra_patterns)
        self._extra = _compile(extra, re.IGNORECASE) if extra else None
        # The same few names (variable names, header names) come back in every event.
        self._seen: dict[str, bool] = {}

    def is_secret(self, name: str) -> bool:
        known = self._seen.get(name)
        if known is None:
            known = self._matches(name)
            if len(self._seen) >= _CACHE_LIMIT:
                self._seen.clear()
            self._seen[name] = known
        return known

    def _matches(self, name: str) -> bool:
        normalised = normalise_key(name)
        if self._builtin.search(normalised):
            return True
        extra = self._extra
        return extra is not None and bool(extra.search(name) or extra.search(normalised))


def _compile(patterns: Iterable[str], flags: int = 0) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns), flags)
