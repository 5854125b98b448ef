"""``name=value`` and ``name: value`` pairs in text: the value of a secret name.

``password=hunter2``, ``"api_token": "..."``, ``Authorization: Bearer ...``,
``?access_token=...&``, ``--password=...``: only the value is masked, and only
when the name is a secret key. Pairs are found from their separator with
``str.find`` (separators are few), then the name is read backwards from it, as a
forward match in the reversed text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from prodready_observability.scrub.mask import FILTERED
from prodready_observability.scrub.tokens import CARD_CANDIDATE, TOKEN_SHAPES

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
