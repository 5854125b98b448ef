"""SQL with its literal values taken out: the same statement with other values groups
together, and no value (a name, an e-mail, a token in a WHERE clause) is ever stored.

Quoted identifiers (``"school_lesson"."id"``) are kept; string literals (with their
``E``, ``N``, ``B``, ``X`` prefixes; a backslash escapes only in ``E'...'``, as in
standard SQL and PostgreSQL), dollar-quoted strings and numbers become ``?``;
lists of them (``IN (?, ?, ?)``) become ``(...)``; whitespace is collapsed.
"""

from __future__ import annotations

import re

MAX_LENGTH = 2000

_TOKENS = re.compile(
    r"""
      (?P<ident>"(?:[^"]|"")*"|`[^`]*`)                      # quoted identifier: kept
    | (?P<string>(?<![\w$])(?:[Ee]'(?:[^'\\]|''|\\.)*'?         # E'...': backslash escapes
                           |[NnBbXxUu]?&?'(?:[^']|'')*'?))       # standard: '' only
    | (?P<dollar>\$(?P<tag>[A-Za-z_]\w*)?\$.*?(?:\$(?P=tag)\$|\Z)) # dollar-quoted string
    | (?P<number>(?<![\w$.])
        (?:0[xX][0-9a-fA-F]+|\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?))
    | (?P<comment>--[^\n]*|/\*.*?(?:\*/|\Z))                  # comments: dropped
    """,
    re.VERBOSE | re.DOTALL,
)
_LIST = re.compile(r"\(\s*\?(?:\s*,\s*\?)+\s*\)")
_SPACE = re.compile(r"\s+")


def _replace(match: re.Match[str]) -> str:
    kind = match.lastgroup
    if kind == "ident":
        return match.group()
    if kind == "comment":
        return " "
    return "?"


def normalise(sql: str) -> str:
    text = _TOKENS.sub(_replace, sql)
    text = _LIST.sub("(...)", text)
    text = _SPACE.sub(" ", text).strip()
    return text[:MAX_LENGTH]
