"""The contract every health check follows, and what one run of a check produced."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from prodready.conf import conf

CheckStatus = Literal["ok", "failed", "timeout"]


class HealthCheckError(Exception):
    """Raised by a check that failed; the message is shown to operators, so no secrets."""


class HealthCheck:
    """A named check of one dependency.

    Subclasses set ``name`` and implement :meth:`check`, which raises
    :class:`HealthCheckError` with a short, secret-free message on failure and
    may return a detail string on success. ``critical`` checks decide readiness;
    others only degrade it. ``timeout`` (seconds) overrides the default.

    Names are unique and read ``kind:target`` (``database:default``), so that
    ``PRODREADY_HEALTH_DISABLED`` can name one check or every check of a kind.
    ``check()`` runs in a worker thread of its own; database connections and
    caches it opens there are closed by the runner when it returns.
    """

    name: str = ""
    critical: bool = True
    timeout: float | None = None

    def check(self) -> str | None:
        raise NotImplementedError

    def effective_timeout(self) -> float:
        """Seconds this check may take: its own ``timeout`` or the project default."""
        return self.timeout if self.timeout is not None else conf.HEALTH_CHECK_TIMEOUT

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check in one run."""

    name: str
    status: CheckStatus
    critical: bool
    latency_ms: float
    message: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "status": self.status,
            "critical": self.critical,
            "latency_ms": round(self.latency_ms, 1),
            "message": self.message,
        }
