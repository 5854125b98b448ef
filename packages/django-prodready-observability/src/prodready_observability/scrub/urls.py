"""Credentials inside URLs of any scheme: ``postgresql://user:pass@``, ``redis://:pass@``.

The whole user-info part is masked, not only the password: a user name is often a
credential too (``https://<token>@github.com/...``, Sentry DSNs).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

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
