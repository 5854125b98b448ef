from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class DashboardCard:
    """One card on the operations dashboard.

    Rendered with ``template`` and ``context``; ``status`` colours the card and
    ``order`` sorts it (lower first).
    """

    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    status: Literal["ok", "warning", "error", "info"] = "info"
    order: int = 100
    url: str | None = None
