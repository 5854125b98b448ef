"""The declared types of what plugins return from hooks, checked once, in core.

Core checks each hook's results against these types and names the plugin at fault
(``prodready.hooks``). Health checks, readiness findings, dashboard cards and periodic
tasks are core's own classes; backup targets and metrics collectors are defined by the
packages that use them, so core declares the part of their contract it can check: the
attributes and methods they must have. Plugin authors import them from ``prodready``.

This module imports nothing of core but its settings, so the hook layer and every
feature can import it without a cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from django.utils.functional import Promise

from prodready.conf import conf

# --- health checks ----------------------------------------------------------------------

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


# --- readiness findings -----------------------------------------------------------------

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

    ``checked=False`` says the rule could not look (a tool is missing, a service
    is offline): such a finding neither passes nor fails and is left out of the
    scores. It needs ``passed=False``, ``detail`` saying why it could not look and
    ``fix`` saying how to let it. Never report a rule that could not look as passed.

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
    checked: bool = True

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
        if not isinstance(self.checked, bool):
            raise InvalidFinding(
                f"Finding {self.id!r} has checked={self.checked!r}; expected True or False."
            )
        if not self.checked and (self.passed or not self.detail):
            raise InvalidFinding(
                f"Finding {self.id!r} was not checked: it needs passed=False and a detail "
                "saying why the rule could not look."
            )
        if not self.passed and not self.fix:
            if not self.checked:
                raise InvalidFinding(
                    f"Finding {self.id!r} was not checked but says no fix (how to let it look)."
                )
            raise InvalidFinding(f"Finding {self.id!r} failed but says no fix.")

    @property
    def outcome(self) -> Literal["passed", "failed", "not checked"]:
        if not self.checked:
            return "not checked"
        return "passed" if self.passed else "failed"


# --- dashboard cards --------------------------------------------------------------------


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


@dataclass(frozen=True)
class OperationsPage:
    """One entry of the operations pages' shared navigation.

    ``url_name`` is reversed with no arguments (``"prodready_backup:list"``); an entry
    whose name does not reverse (the project did not mount that URLconf) is left out.
    ``permission`` (``"app_label.codename"``), when set, hides the entry from staff
    without it; the page itself still checks, the navigation only spares a dead end.
    ``order`` sorts the entries (lower first).
    """

    label: str | Promise  # a lazy translation, rendered in the user's language
    url_name: str
    permission: str | None = None
    order: int = 100


# --- periodic tasks ---------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodicTask:
    """A task to run on a cron schedule (``"minute hour day month weekday"``)."""

    name: str
    task: str
    cron: str
    kwargs: dict[str, Any] = field(default_factory=dict)

    def crontab_fields(self) -> dict[str, str]:
        parts = self.cron.split()
        if len(parts) != 5:
            raise ValueError(
                f"Periodic task {self.name!r} has cron {self.cron!r}; expected five "
                "fields: minute hour day-of-month month day-of-week."
            )
        keys = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")
        return dict(zip(keys, parts, strict=True))


# --- backup targets and metrics collectors ----------------------------------------------


@runtime_checkable
class BackupTarget(Protocol):
    """Something to back up (``prodready_backup.targets.BackupTarget`` implements it).

    ``name`` is unique and safe in a path; ``engine`` says what a dump restores into.
    ``restore()`` may return the row counts it left (``{table: rows}``) or None.
    """

    name: str
    engine: str

    def open_dump(self) -> AbstractContextManager[Any]: ...

    def restore(self, chunks: Iterable[bytes]) -> dict[str, int] | None: ...

    def restore_test(self, chunks: Iterable[bytes]) -> Any: ...


@runtime_checkable
class MetricsCollector(Protocol):
    """A prometheus-client collector: ``collect()`` yields its metric families."""

    def collect(self) -> Iterable[Any]: ...


# --- time series for anomaly alerts -----------------------------------------------------

Direction = Literal["up", "down", "both"]
# (first minute, end minute) -> (minute, value) pairs; minutes are ``int(time.time() // 60)``.
PointsReader = Callable[[int, int], Iterable[tuple[int, float]]]


@dataclass(frozen=True)
class TimeSeries:
    """A series the anomaly detector (``prodready.anomalies``) watches, minute by minute.

    ``name`` is unique (``"observability.error_rate"``); ``label`` and ``unit`` are what
    people read. ``points(start, end)`` returns ``(minute, value)`` pairs for the minutes
    ``start <= minute < end`` that have a value: a per-minute series has one for every
    minute, a per-run series (a backup's duration) one per run. The detector compares the
    latest point with the median of the points in the ``window_minutes`` before it; a
    departure counts only if it is at least ``min_change`` (in ``unit``), so a quiet
    series does not alert on noise, and only in ``direction``. An episode starts after
    ``confirm`` anomalous points in a row and ends after ``calm`` normal ones.
    """

    name: str
    label: str
    unit: str
    points: PointsReader
    min_change: float = 0.0
    window_minutes: int = 60
    direction: Direction = "up"
    confirm: int = 2
    calm: int = 5
