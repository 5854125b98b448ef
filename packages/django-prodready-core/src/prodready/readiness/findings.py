"""What a readiness rule found."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Category = Literal["security", "monitoring", "backups", "performance", "deployment"]
CATEGORIES: tuple[Category, ...] = (
    "security",
    "monitoring",
    "backups",
    "performance",
    "deployment",
)


@dataclass(frozen=True)
class Finding:
    """The outcome of one readiness rule.

    ``id`` is stable (``prodready.R001``) so it can be silenced; ``passed``
    says whether the rule holds; ``fix`` says what to change when it does not;
    ``weight`` (1-3) is how much the rule counts towards its category's score.
    """

    id: str
    category: Category
    title: str
    passed: bool
    fix: str = ""
    weight: int = 2
