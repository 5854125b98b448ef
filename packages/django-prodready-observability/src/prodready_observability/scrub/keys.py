"""Which keys name a secret: matched word by word, not as a substring.

The rule, for a dict key, variable, header or parameter name:

1. The name is split into words: camelCase and every run of non-alphanumerics
   (``_``, ``-``, ``.``, blanks) separate words, case is ignored, and digits at the end
   of a word are dropped. ``aws_secret_access_key``, ``X-Api-Key``, ``apiKey`` and
   ``new_password1`` read as ``aws secret access key``, ``x api key``, ``api key`` and
   ``new password``.
2. It names a secret when one of its words is a secret word (:data:`SECRET_WORDS`:
   ``password``, ``token``, ``secret``, ``session``, ``auth``, ...), a word that ends with
   one of the longer ones or with a secret pair of words written as one
   (:data:`SECRET_ENDINGS`: ``csrftoken``, ``clientsecret``, ``apikey``), a word that
   starts with ``password``/``passwd``/``secret`` (``secretkey``), or two neighbouring
   words form a secret pair (:data:`SECRET_PAIRS`: ``api key``, ``private key``,
   ``card number``).
3. Unless one of its words says it describes a secret rather than holds one
   (:data:`DESCRIBING_WORDS`: ``count``, ``length``, ``used``, ``max``, ``type``,
   ``expiry``, ...): ``token_count``, ``tokens_used``, ``password_length``,
   ``max_tokens`` and ``token_type`` hold a number or a label, and are kept.

So ``author``, ``bypass``, ``keyboard``, ``tokenizer`` and ``cache_key`` are ordinary
names: no word of theirs is a secret word. Extra patterns
(``PRODREADY_SENTRY_SCRUB_KEYS``) are regular expressions outside this rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# A word that names a secret on its own (plurals too: "passwords", "tokens").
SECRET_WORDS = frozenset(
    {
        *("password", "passwd", "passphrase", "passcode", "pass", "pwd"),
        *("secret", "token", "credential", "cookie", "signature", "sig"),
        *("auth", "authorization", "authentication", "session", "csrf", "xsrf"),
        *("dsn", "jwt", "bearer", "otp", "totp", "hotp", "pin", "cvv", "cvc", "ssn", "iban"),
    }
)
# Two words that name a secret together, also when written as one ("privatekey").
SECRET_PAIRS = frozenset(
    {
        *(
            (first, "key")
            for first in (
                *("api", "access", "private", "signing", "encryption", "master", "license"),
                *("account", "ssh", "hmac", "fernet", "secret", "session", "client"),
            )
        ),
        ("card", "number"),
        ("cc", "number"),
        ("session", "id"),
    }
)
# A word ending with one of these is a secret word run together with another
# ("csrfmiddlewaretoken", "clientsecret", "xapikey").
SECRET_ENDINGS = (
    *("password", "passwd", "passphrase", "secret", "token", "credential", "cookie"),
    "signature",
    *(first + second for first, second in SECRET_PAIRS),
)
SECRET_BEGINNINGS = ("password", "passwd", "secret")
# A word that says the name describes a secret (how many, how long, which kind, until
# when) instead of holding one.
DESCRIBING_WORDS = frozenset(
    {
        *("count", "length", "len", "size", "used", "max", "min", "limit", "total"),
        *("type", "kind", "expiry", "expires", "expiration", "ttl", "age", "lifetime"),
        *("timeout", "enabled", "required"),
    }
)

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[^a-z0-9]+")
_CACHE_LIMIT = 4096


def normalise_key(name: str) -> str:
    """``"X-Api-Key"`` -> ``"x api key"``; ``"clientSecret"`` -> ``"client secret"``."""
    spaced = _CAMEL_BOUNDARY.sub(" ", name).lower()
    return _SEPARATORS.sub(" ", spaced).strip()


def key_words(name: str) -> list[str]:
    """The words of a name, digits at their ends dropped: ``"new_password1"`` ->
    ``["new", "password"]``."""
    words = (word.rstrip("0123456789") for word in normalise_key(name).split())
    return [word for word in words if word]


def names_a_secret(words: list[str]) -> bool:
    """Whether a name of these words holds a secret, by the rule of this module."""
    if not DESCRIBING_WORDS.isdisjoint(words):
        return False
    for index, word in enumerate(words):
        if _is_secret_word(word):
            return True
        if index and (words[index - 1], word) in SECRET_PAIRS:
            return True
    return False


def _is_secret_word(word: str) -> bool:
    if word in SECRET_WORDS or (word.endswith("s") and word[:-1] in SECRET_WORDS):
        return True
    singular = word[:-1] if word.endswith("s") else word
    return singular.endswith(SECRET_ENDINGS) or word.startswith(SECRET_BEGINNINGS)


class KeyMatcher:
    """Tells whether a key names a secret, by the built-in rule and extra patterns.

    Extra patterns (``PRODREADY_SENTRY_SCRUB_KEYS``) ignore case and are searched in
    the name as written and in its normalised form, so ``acme_hmac`` and
    ``acme hmac`` both catch a key spelled ``X-Acme-Hmac``.
    """

    def __init__(self, extra_patterns: Iterable[str] = ()) -> None:
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
        if names_a_secret(key_words(name)):
            return True
        extra = self._extra
        return extra is not None and bool(extra.search(name) or extra.search(normalise_key(name)))


def _compile(patterns: Iterable[str], flags: int = 0) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns), flags)
