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
WEIGHTS = (1, 2, 3)


class InvalidFinding(ValueError):
    """A finding was built with a value outside its contract."""


@dataclass(frozen=True)
class Finding:
    """The outcome of one readiness rule.

    ``id`` is stable (``prodready.R001``) so it can be silenced; ``passed``
    says whether the rule holds; ``fix`` says what to change when it does not;
    ``weight`` (1-3) is how much the rule counts towards its category's score;
    ``detail`` optionally states what was found (``"DEBUG is True"``). Never
    put a secret in any of them: the report is printed in CI logs.

    Invalid values raise :class:`InvalidFinding` when the finding is built, so
    a plugin's mistake surfaces next to its cause.
    """

    id: str
    category: Category
    title: str
    passed: bool
    fix: str = ""
    weight: int = 2
    detail: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise InvalidFinding(f"A readiness finding needs a non-empty id; got {self.id!r}.")
        if self.category not in CATEGORIES:
            raise InvalidFinding(
                f"Finding {self.id!r} has category {self.category!r}; "
                f"expected one of {', '.join(CATEGORIES)}."
            )
        if not isinstance(self.passed, bool):
            raise InvalidFinding(
                f"Finding {self.id!r} has passed={self.passed!r}; expected True or False."
            )
        # True == 1 and 2.0 == 2: only a real int is a weight.
        if type(self.weight) is not int or self.weight not in WEIGHTS:
            raise InvalidFinding(
                f"Finding {self.id!r} has weight {self.weight!r}; expected 1, 2 or 3."
            )
        if not self.passed and not self.fix:
            raise InvalidFinding(f"Finding {self.id!r} failed but says no fix.")
