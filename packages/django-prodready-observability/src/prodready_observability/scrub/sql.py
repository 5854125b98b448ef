"""Literals in SQL: a query keeps its shape, the values it carried are replaced by ``?``.

Django passes parameters separately, but raw SQL, ``extra()``, ``RawSQL`` and
drivers that interpolate (``mogrify``) put values, tokens and e-mail addresses
straight into the statement text.
"""

from __future__ import annotations

import re

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
