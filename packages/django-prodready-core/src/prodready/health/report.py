"""One run of every health check, and the two ways it is shown: summary and detail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from prodready.health.base import CheckResult

OverallStatus = Literal["ok", "degraded", "failed"]


@dataclass(frozen=True)
class HealthReport:
    """Results of one run, in the order the checks were collected.

    ``failed``: a critical check did not pass, the instance should take no traffic.
    ``degraded``: only non-critical checks did not pass, it still serves.
    """

    results: tuple[CheckResult, ...]
    checked_at: datetime
    duration_ms: float

    @property
    def status(self) -> OverallStatus:
        if any(not r.ok and r.critical for r in self.results):
            return "failed"
        if any(not r.ok for r in self.results):
            return "degraded"
        return "ok"

    @property
    def http_status(self) -> int:
        return 503 if self.status == "failed" else 200

    @property
    def failing(self) -> list[str]:
        """Names of the checks that did not pass, critical or not."""
        return [r.name for r in self.results if not r.ok]

    def summary(self) -> dict[str, object]:
        """What anyone may see: the status and the names of failing checks, no details."""
        body: dict[str, object] = {"status": self.status}
        if self.failing:
            body["failing"] = self.failing
        return body

    def detail(self) -> dict[str, object]:
        """What staff and token holders see: every check's status, latency and message."""
        return {
            "status": self.status,
            "checked_at": self.checked_at.isoformat(timespec="seconds"),
            "duration_ms": round(self.duration_ms, 1),
            "checks": [r.as_dict() for r in self.results],
        }
