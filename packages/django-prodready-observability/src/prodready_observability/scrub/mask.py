"""The mask that replaces a secret, and putting it in place."""

from __future__ import annotations

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
