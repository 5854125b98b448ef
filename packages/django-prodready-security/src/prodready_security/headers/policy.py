"""The values of the headers the middleware sends, built from settings.

``PRODREADY_HEADERS_PERMISSIONS_POLICY`` maps a feature to its allowlist, written as
in the header's structured syntax: ``{"camera": [], "geolocation": ["self",
"https://maps.example.com"]}`` becomes ``camera=(), geolocation=(self
"https://maps.example.com")``.
"""

from __future__ import annotations

import re

FEATURE = re.compile(r"[a-z][a-z0-9-]*")
KEYWORDS = frozenset({"self", "*", "src"})
ORIGIN = re.compile(r"https?://[^\s\"(),;]+")
OPENER_POLICIES = (
    "same-origin",
    "same-origin-allow-popups",
    "noopener-allow-popups",
    "unsafe-none",
)
RESOURCE_POLICIES = ("same-origin", "same-site", "cross-origin")


def allowlist_problem(feature: object, allowlist: object) -> str | None:
    """What is wrong with one entry of the setting, or None."""
    if not isinstance(feature, str) or not FEATURE.fullmatch(feature):
        return f"feature {feature!r} is not a lower-case feature name such as 'camera'"
    if not isinstance(allowlist, (list, tuple)):
        return f"the allowlist of {feature!r} is {allowlist!r}; expected a list"
    for entry in allowlist:
        if not (isinstance(entry, str) and (entry in KEYWORDS or ORIGIN.fullmatch(entry))):
            return (
                f"the allowlist of {feature!r} has {entry!r}; expected 'self', '*', 'src' "
                "or an origin such as 'https://example.com'"
            )
    return None


def permissions_policy(policy: dict[str, list[str]]) -> str:
    """The Permissions-Policy header value; features with an empty allowlist are off."""
    return ", ".join(
        f"{feature}=({' '.join(_item(entry) for entry in allowlist)})"
        for feature, allowlist in policy.items()
    )


def _item(entry: str) -> str:
    # Keywords are tokens; origins are quoted strings in the structured-header syntax.
    return entry if entry in KEYWORDS else f'"{entry}"'
