"""The contract every health check follows."""

from __future__ import annotations


class HealthCheckError(Exception):
    """Raised by a check that failed; the message is shown to operators, so no secrets."""


class HealthCheck:
    """A named check of one dependency.

    Subclasses set ``name`` and implement :meth:`check`, which raises
    :class:`HealthCheckError` with a short, secret-free message on failure and
    may return a detail string on success. ``critical`` checks decide readiness;
    others only degrade it. ``timeout`` (seconds) overrides the default.
    """

    name: str = ""
    critical: bool = True
    timeout: float | None = None

    def check(self) -> str | None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"
