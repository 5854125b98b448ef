"""Runs health checks concurrently, each in its own thread, within timeouts.

- Every check gets a daemon thread (kept for later runs, ``health.workers``), so a
  check that hangs costs its thread but never the caller and never blocks the
  process from exiting.
- The caller waits for each check until its own timeout or the overall deadline,
  whichever comes first, and reports a check still running as timed out by name.
- While a check from an earlier run is still hanging, it is not started again:
  it is reported as still waiting, so a dead dependency costs one thread per
  check, not one per run.
- :func:`get_report` caches the last report for ``PRODREADY_HEALTH_CACHE_SECONDS``
  and lets concurrent callers share one run.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime

from django.core.cache import caches
from django.db import connections

from prodready.conf import InvalidSetting, conf, derived_from
from prodready.health import workers
from prodready.health.base import CheckResult, CheckStatus, HealthCheck, HealthCheckError
from prodready.health.report import HealthReport
from prodready.health.singleflight import SingleFlightCache

logger = logging.getLogger(__name__)


class _Attempt:
    """One check running in its worker thread; ``done`` is set when it returned."""

    def __init__(self, check: HealthCheck) -> None:
        self.check = check
        self.timeout = check.effective_timeout()
        self.started = time.monotonic()
        self.done = threading.Event()
        self.result: CheckResult | None = None
        self.reported_timeout = False


_running_lock = threading.Lock()
_running: dict[str, _Attempt] = {}  # check name -> its attempt still running


def run_checks(checks: Sequence[HealthCheck], *, deadline: float | None = None) -> HealthReport:
    """Run ``checks`` concurrently and return their results, never taking much over
    ``deadline`` seconds (default ``PRODREADY_HEALTH_DEADLINE``)."""
    started = time.monotonic()
    checked_at = datetime.now(UTC)
    deadline_at = started + (conf.HEALTH_DEADLINE if deadline is None else deadline)
    conf.HEALTH_CHECK_TIMEOUT  # noqa: B018 (a mistyped value raises here, before any check starts)
    pending: list[_Attempt | CheckResult] = [_start(check) for check in checks]
    results = [
        item if isinstance(item, CheckResult) else _wait(item, deadline_at) for item in pending
    ]
    duration_ms = (time.monotonic() - started) * 1000
    return HealthReport(tuple(results), checked_at, duration_ms)


def _start(check: HealthCheck) -> _Attempt | CheckResult:
    with _running_lock:
        earlier = _running.get(check.name)
        if earlier is not None:
            waited = time.monotonic() - earlier.started
            return _result(
                check,
                "timeout",
                waited,
                f"{check.name} has not answered for {waited:.1f} s "
                "(an earlier run of this check is still waiting)",
            )
        attempt = _running[check.name] = _Attempt(check)
    workers.run(functools.partial(_execute, attempt), name="prodready-health")
    return attempt


def _wait(attempt: _Attempt, deadline_at: float) -> CheckResult:
    until = min(attempt.started + attempt.timeout, deadline_at)
    if attempt.done.wait(max(0.0, until - time.monotonic())) and attempt.result is not None:
        return attempt.result
    attempt.reported_timeout = True
    waited = time.monotonic() - attempt.started
    reason = "" if until < deadline_at else " (the overall deadline)"
    message = f"{attempt.check.name} did not answer within {waited:.1f} s{reason}"
    logger.warning("Health check %s", message)
    return _result(attempt.check, "timeout", waited, message)


def _execute(attempt: _Attempt) -> None:
    check = attempt.check
    status: CheckStatus = "failed"
    message: str | None = "the check did not finish; see the server log"
    try:
        detail = check.check()
        status, message = "ok", None if detail is None else str(detail)
    except HealthCheckError as exc:
        # The message is written for operators; the cause, which may name hosts
        # or users, goes to the log only.
        message = str(exc) or type(exc).__name__
        logger.warning("Health check %s failed: %s", check.name, message, exc_info=exc.__cause__)
    except InvalidSetting as exc:  # names the setting; never quotes a secret
        message = str(exc)
        logger.error("Health check %s cannot run: %s", check.name, message)
    except Exception as exc:
        message = f"unexpected {type(exc).__name__}; see the server log"
        logger.exception("Health check %s raised an unexpected error", check.name)
    finally:
        _close_thread_connections(check)
        elapsed = time.monotonic() - attempt.started
        attempt.result = _result(check, status, elapsed, message)
        attempt.done.set()
        with _running_lock:
            if _running.get(check.name) is attempt:
                del _running[check.name]
        if attempt.reported_timeout:
            logger.info(
                "Health check %s finished (%s) after %.1f s, after it was reported as timed out",
                check.name,
                status,
                elapsed,
            )


def wait_until_idle(timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for every check thread, hung ones included, to end.

    For tests and graceful shutdowns; True when none is left running.
    """
    until = time.monotonic() + timeout
    with _running_lock:
        attempts = list(_running.values())
    return all(a.done.wait(max(0.0, until - time.monotonic())) for a in attempts)


def _close_thread_connections(check: HealthCheck) -> None:
    """Close what the check opened in this thread, as Django does at the end of a request."""
    try:
        for connection in connections.all(initialized_only=True):
            connection.close()
            if connection.connection is not None:
                # SQLite keeps in-memory databases open on close(); this thread's
                # own handle must go all the same.
                connection.connection.close()
                connection.connection = None
        caches.close_all()
    except Exception:
        logger.exception("Closing connections after health check %s failed", check.name)


def _result(
    check: HealthCheck, status: CheckStatus, seconds: float, message: str | None
) -> CheckResult:
    return CheckResult(check.name, status, check.critical, seconds * 1000, message)


def enabled_checks() -> list[HealthCheck]:
    """Every plugin's checks, less those named in ``PRODREADY_HEALTH_DISABLED``.

    An entry disables one check (``"database:replica"``) or every check of a
    kind (``"database"``).
    """
    from prodready import hooks

    disabled = set(conf.HEALTH_DISABLED)
    return [
        check
        for check in hooks.health_checks()
        if check.name not in disabled and check.name.split(":", 1)[0] not in disabled
    ]


def run_enabled_checks() -> HealthReport:
    """Collect and run the enabled checks; a plugin that cannot provide its checks fails,
    and so does a mistyped health setting (as the check ``settings``)."""
    started = time.monotonic()
    try:
        checks = enabled_checks()
    except InvalidSetting as exc:
        return _settings_failed(started, exc)
    except Exception:
        logger.exception("Health checks could not be collected from the plugins")
        message = "health checks could not be collected; see the server log"
        return _failed_run("plugins", started, message)
    try:
        return run_checks(_unique_names(checks))
    except InvalidSetting as exc:
        return _settings_failed(started, exc)


def _settings_failed(started: float, exc: InvalidSetting) -> HealthReport:
    # The message names the setting, the type expected and (unless it may be a secret)
    # the value found: staff and token holders read it in the detail view.
    logger.error("Health checks cannot run: %s", exc)
    return _failed_run("settings", started, str(exc))


def _failed_run(name: str, started: float, message: str) -> HealthReport:
    """A report of one failed critical pseudo-check ``name``: nothing else could run."""
    failure = CheckResult(name, "failed", True, (time.monotonic() - started) * 1000, message)
    return HealthReport((failure,), datetime.now(UTC), failure.latency_ms)


def _unique_names(checks: list[HealthCheck]) -> list[HealthCheck]:
    # Names identify checks in reports, in HEALTH_DISABLED and in the hang guard above.
    seen: set[str] = set()
    unique = []
    for check in checks:
        if not check.name or check.name in seen:
            logger.error("Health check %r is skipped: its name is empty or not unique", check)
            continue
        seen.add(check.name)
        unique.append(check)
    return unique


# Emptied when any setting changes (in tests: override_settings): a setting may change
# which checks exist.
@derived_from()
def _reports() -> SingleFlightCache[HealthReport]:
    return SingleFlightCache()


def get_report(*, max_age: float | None = None) -> HealthReport:
    """The latest report, run again when older than ``max_age`` seconds
    (default ``PRODREADY_HEALTH_CACHE_SECONDS``). Concurrent callers share one run."""
    started = time.monotonic()
    try:
        age = conf.HEALTH_CACHE_SECONDS if max_age is None else max_age
    except InvalidSetting as exc:
        return _settings_failed(started, exc)
    return _reports().get(run_enabled_checks, age)


def clear_cache() -> None:
    """Forget the cached report, so the next :func:`get_report` runs the checks."""
    _reports.forget()
