"""A short device description ("Firefox on Windows") from a User-Agent header.

Deliberately small: people recognise their own sessions by browser, system and
address; exact versions would only add noise (and a dependency).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext

# First match wins: Edge and Opera also say "Chrome", Chrome also says "Safari".
BROWSERS = (
    ("Edge", r"Edg(e|A|iOS)?/"),
    ("Opera", r"OPR/|Opera"),
    ("Firefox", r"Firefox/|FxiOS/"),
    ("Chrome", r"Chrome/|CriOS/"),
    ("Safari", r"Safari/"),
    ("curl", r"^curl/"),
)
SYSTEMS = (
    ("iPhone", r"iPhone"),
    ("iPad", r"iPad"),
    ("Android", r"Android"),
    ("Windows", r"Windows"),
    ("macOS", r"Mac OS X|Macintosh"),
    ("ChromeOS", r"CrOS"),
    ("Linux", r"Linux"),
)


def describe(user_agent: str) -> str:
    if not user_agent:
        return gettext("Unknown device")
    browser = next((name for name, pattern in BROWSERS if re.search(pattern, user_agent)), None)
    system = next((name for name, pattern in SYSTEMS if re.search(pattern, user_agent)), None)
    if browser and system:
        return gettext("{browser} on {system}").format(browser=browser, system=system)
    return browser or system or user_agent[:40]
