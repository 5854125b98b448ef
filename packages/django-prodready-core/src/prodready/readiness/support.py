"""When Django and Python versions stop receiving security fixes: a dated table.

Sources: https://www.djangoproject.com/download/#supported-versions and
https://devguide.python.org/versions/. A test fails once ``UPDATED`` is more than a
year old, so the table is kept current; versions released since are assumed supported.
"""

from __future__ import annotations

import datetime

UPDATED = datetime.date(2026, 12, 3)
WARN_DAYS = 90  # "within 90 days of it" counts as past

DJANGO_END_OF_SUPPORT = {
    (4, 2): datetime.date(2026, 4, 30),
    (5, 0): datetime.date(2025, 4, 2),
    (5, 1): datetime.date(2025, 12, 2),
    (5, 2): datetime.date(2028, 4, 30),
    (6, 0): datetime.date(2027, 4, 30),
    (6, 1): datetime.date(2027, 12, 31),
}
PYTHON_END_OF_SUPPORT = {
    (3, 9): datetime.date(2025, 10, 31),
    (3, 10): datetime.date(2026, 10, 31),
    (3, 11): datetime.date(2027, 10, 31),
    (3, 12): datetime.date(2028, 10, 31),
    (3, 13): datetime.date(2029, 10, 31),
    (3, 14): datetime.date(2030, 10, 31),
}


def end_of_support(
    table: dict[tuple[int, int], datetime.date], version: tuple[int, int]
) -> datetime.date | None:
    """The version's end of support; ``None`` for a version newer than the table."""
    if version in table:
        return table[version]
    if version > max(table):
        return None
    return min(table.values())  # older than the table: long past


def problem(
    name: str,
    table: dict[tuple[int, int], datetime.date],
    version: tuple[int, int],
    today: datetime.date,
) -> str:
    """What is wrong with running ``version``, or "" when it is supported for long enough."""
    ends = end_of_support(table, version)
    label = f"{name} {version[0]}.{version[1]}"
    if ends is None:
        return ""
    if ends < today:
        return f"{label} stopped receiving security fixes on {ends.isoformat()}"
    if (ends - today).days <= WARN_DAYS:
        return f"{label} stops receiving security fixes on {ends.isoformat()}"
    return ""
