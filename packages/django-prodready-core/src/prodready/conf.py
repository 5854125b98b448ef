"""Core's settings: one typed property per setting, read lazily.

Every package has a ``conf.py`` like this one. Core reads the properties of each
package's settings object to list the known ``PRODREADY_*`` names and to check
the type of what a project set (see ``prodready.checks``).

Reading a property checks the type too, so code that runs without ``manage.py check``
(a request, a probe, ``prodready health``) meets :exc:`InvalidSetting` naming the
setting instead of a ``TypeError`` deep inside.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, Literal, Protocol, TypeVar, cast, overload

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

from prodready import setting_types

PREFIX = "PRODREADY_"

T = TypeVar("T")

_NOT_SET = object()
# The value each setting last passed the type check with: a read of that same object
# (every read but the first, in production) costs one identity test.
_passed: dict[tuple[type, str], object] = {}


class InvalidSetting(ImproperlyConfigured):
    """A ``PRODREADY_*`` setting whose value does not have the type its property declares."""

    def __init__(self, setting: str, expected: Any, value: Any) -> None:
        self.setting = setting
        self.value = value
        super().__init__(
            f"{setting_types.problem(setting, expected, value)} Set {setting} to "
            f"{setting_types.describe(expected)} (manage.py check reports it as prodready.E002)."
        )


class AppSettings:
    """Base for a package's settings: properties named after the setting less its prefix."""

    def setting_names(self) -> list[str]:
        return [
            PREFIX + name
            for name in dir(type(self))
            if isinstance(getattr(type(self), name), property) and name.isupper()
        ]

    def _get(self, name: str, default: T) -> T:
        """The project's value of ``PRODREADY_<name>``, or ``default`` when it set none.

        Raises :exc:`InvalidSetting` when the value is not of the property's type.
        """
        value: Any = getattr(settings, PREFIX + name, _NOT_SET)
        if value is _NOT_SET:
            return default
        key = (type(self), name)
        if _passed.get(key) is not value:
            expected = setting_types.declared_type(type(self), name)
            if not setting_types.matches(value, expected):
                raise InvalidSetting(PREFIX + name, expected, value)
            _passed[key] = value
        checked: T = value
        return checked


class Settings(AppSettings):
    @property
    def REQUIRED_ENV(self) -> list[str]:
        """Environment variables that must be set; every missing one is listed in one error.

        :type: list of names
        :default: ``[]``
        """
        return self._get("REQUIRED_ENV", [])

    @property
    def TRUSTED_PROXIES(self) -> list[str]:
        """Proxies whose ``X-Forwarded-For`` header is believed when resolving the client address.

        :type: list of addresses or networks
        :default: ``[]``
        """
        return self._get("TRUSTED_PROXIES", [])

    @property
    def HEALTH_TOKEN(self) -> str | None:
        """Bearer token that unlocks the detailed health view for clients that are not staff.

        :type: string or ``None``
        :default: ``None``
        """
        return self._get("HEALTH_TOKEN", None)

    @property
    def HEALTH_CACHE_SECONDS(self) -> float:
        """How long health results are reused, so a storm of probes cannot hammer the database.

        :type: number
        :default: ``3.0``
        """
        return self._get("HEALTH_CACHE_SECONDS", 3.0)

    @property
    def HEALTH_CHECK_TIMEOUT(self) -> float:
        """Seconds one check may take, unless the check sets its own ``timeout``.

        :type: number
        :default: ``2.0``
        """
        return self._get("HEALTH_CHECK_TIMEOUT", 2.0)

    @property
    def HEALTH_DEADLINE(self) -> float:
        """Seconds all checks together may take.

        :type: number
        :default: ``5.0``
        """
        return self._get("HEALTH_DEADLINE", 5.0)

    @property
    def HEALTH_REUSE_CONNECTIONS(self) -> bool:
        """Keep one idle PostgreSQL or MySQL connection per alias for the next probe.

        :type: boolean
        :default: ``True``
        """
        return self._get("HEALTH_REUSE_CONNECTIONS", True)

    @property
    def HEALTH_DISK_PATHS(self) -> list[str]:
        """Paths whose free space is checked; empty means ``MEDIA_ROOT`` (when set) and the
        temporary directory.

        :type: list of paths
        :default: ``[]``
        """
        return self._get("HEALTH_DISK_PATHS", [])

    @property
    def HEALTH_DISK_MIN_FREE_MB(self) -> int:
        """Free megabytes below which the disk check fails.

        :type: integer
        :default: ``500``
        """
        return self._get("HEALTH_DISK_MIN_FREE_MB", 500)

    @property
    def HEALTH_CELERY_APP(self) -> str | None:
        """The Celery app whose workers are pinged; ``None`` skips the check. The Celery card of
        django-prodready-observability shows this app's workers and queues.

        :type: dotted path or ``None``
        :default: ``None``
        """
        return self._get("HEALTH_CELERY_APP", None)

    @property
    def HEALTH_DISABLED(self) -> list[str]:
        """Health checks not to run: a full name (``"disk:/srv/media"``) or a kind (``"database"``
        turns off every database check).

        :type: list of check names or kinds
        :default: ``[]``
        """
        return self._get("HEALTH_DISABLED", [])

    @property
    def NOTIFY_CHANNELS(self) -> list[Literal["email", "webhook"]]:
        """Core's notification channels: email to ``ADMINS``, and a Slack-compatible webhook.

        :type: list of ``"email"``, ``"webhook"``
        :default: ``["email"]``
        """
        return self._get("NOTIFY_CHANNELS", ["email"])

    @property
    def NOTIFY_WEBHOOK_URL(self) -> str | None:
        """URL that receives notifications as JSON when ``"webhook"`` is a channel.

        :type: string or ``None``
        :default: ``None``
        """
        return self._get("NOTIFY_WEBHOOK_URL", None)

    @property
    def NOTIFY_WEBHOOK_TIMEOUT(self) -> float:
        """Seconds to wait for the webhook.

        :type: number
        :default: ``5.0``
        """
        return self._get("NOTIFY_WEBHOOK_TIMEOUT", 5.0)

    @property
    def NOTIFY_MIN_LEVEL(self) -> Literal["info", "warning", "error", "critical"]:
        """Notifications below this level are not delivered by core's channels.

        :type: ``"info"``, ``"warning"``, ``"error"`` or ``"critical"``
        :default: ``"warning"``
        """
        return self._get("NOTIFY_MIN_LEVEL", "warning")

    @property
    def ANOMALY_THRESHOLD(self) -> float:
        """Robust z-score (distance from the trailing median in scaled MADs) from which a point
        of a time series is anomalous; an episode needs two such minutes in a row (see
        docs/operations.md, "Anomaly alerts").

        :type: number above 0
        :default: ``6.0``
        """
        return self._get("ANOMALY_THRESHOLD", 6.0)

    @property
    def ANOMALY_COOLDOWN_MINUTES(self) -> int:
        """An anomaly that starts within this many minutes of the end of the last notified one
        of the same series is flagged on the dashboard but not notified again.

        :type: integer, 0 or more
        :default: ``30``
        """
        return self._get("ANOMALY_COOLDOWN_MINUTES", 30)

    @property
    def BREAKER_SECONDS(self) -> float:
        """After a dependency failed (Redis behind
        ``prodready.redis_breaker.BreakerConnectionPool``, the rate limiter's Redis whatever its
        cache's pool, and the request analytics' cache), how long each process skips it,
        failing calls at once, before one call tries it again; ``0`` tries on every call.

        :type: number
        :default: ``5.0``
        """
        return self._get("BREAKER_SECONDS", 5.0)

    @property
    def READINESS_SILENCED(self) -> list[str]:
        """Readiness findings left out of ``manage.py prodready check``.

        :type: list of finding ids
        :default: ``[]``
        """
        return self._get("READINESS_SILENCED", [])

    @property
    def MIGRATE_SMALL_TABLE_ROWS(self) -> int:
        """Tables with fewer rows (the catalogue's estimate, never a count) pass ``migrate``'s lock
        rules; from 100 times this many an unsafe operation is "critical". See operations.md,
        "Deploying safely".

        :type: integer
        :default: ``10000``
        """
        return self._get("MIGRATE_SMALL_TABLE_ROWS", 10_000)

    @property
    def MIGRATE_LOCK_TIMEOUT(self) -> float:
        """Seconds each statement of ``migrate`` waits for a lock (PostgreSQL ``lock_timeout``;
        MySQL/MariaDB ``lock_wait_timeout`` and ``innodb_lock_wait_timeout``, in whole seconds,
        rounded up) before it fails instead of queueing every later query behind it; ``0``
        waits for ever.

        :type: number
        :default: ``5.0``
        """
        return self._get("MIGRATE_LOCK_TIMEOUT", 5.0)

    @property
    def MIGRATE_LOCK_RETRIES(self) -> int:
        """How many times ``migrate`` retries, with a doubling pause, a migration that gave up
        waiting for a lock and applied nothing (on MySQL, which commits each DDL statement: one
        that gave up on its first change).

        :type: integer
        :default: ``3``
        """
        return self._get("MIGRATE_LOCK_RETRIES", 3)


conf = Settings()


class _Decorator(Protocol):
    def __call__(self, compute: Callable[[], T], /) -> Derived[T]: ...


@overload
def derived_from(*names: str, per_thread: bool = False) -> _Decorator: ...


@overload
def derived_from(
    *names: str, on_forget: Callable[[T], object]
) -> Callable[[Callable[[], T]], Derived[T]]: ...


def derived_from(
    *names: str, per_thread: bool = False, on_forget: Callable[[Any], object] | None = None
) -> Callable[[Callable[[], Any]], Derived[Any]]:
    """Keep a value computed from settings until one of ``names`` changes.

    For what code on the request path would otherwise work out from settings again
    on every call (reading a setting that is not set costs an exception)::

        @derived_from("PRODREADY_TRUSTED_PROXIES")
        def trusted() -> tuple[Network, ...]:
            return parse(conf.TRUSTED_PROXIES)

    Settings change at run time only through ``setting_changed`` (``override_settings``
    in tests); without ``names``, any change recomputes. ``forget()`` drops the value
    at once (after a fork, say).

    :param per_thread: each thread computes and keeps its own value, for values built on
        Django's cache or database connections, which are per thread themselves.
    :param on_forget: called with the value being dropped, to close what it holds (a
        shared value only: another thread's own value is out of reach).
    """
    if per_thread and on_forget is not None:
        raise TypeError("derived_from(): on_forget cannot reach the values of other threads")

    def decorate(compute: Callable[[], T]) -> Derived[T]:
        value, forget = _per_thread(compute) if per_thread else _shared(compute, on_forget)

        def changed(*, setting: str, **kwargs: Any) -> None:
            if not names or setting in names:
                forget()

        functools.update_wrapper(value, compute)
        derived: Any = value
        derived.compute, derived.names, derived.forget = compute, frozenset(names), forget
        derived._changed = changed  # the receiver lives as long as the value
        setting_changed.connect(changed, weak=False)
        return cast("Derived[T]", derived)

    return decorate


class Derived(Protocol[T]):
    """A value computed once from settings; see :func:`derived_from`."""

    compute: Callable[[], T]
    names: frozenset[str]

    def __call__(self) -> T: ...

    def forget(self) -> None: ...


# Plain functions, not objects with __call__: they sit on the request path, where
# calling an instance costs several times a function call.


def _shared(
    compute: Callable[[], T], on_forget: Callable[[T], object] | None
) -> tuple[Callable[[], T], Callable[[], None]]:
    kept: list[T] = []  # the value, once computed
    lock = threading.Lock()

    def value() -> T:
        try:
            return kept[0]
        except IndexError:
            pass
        with lock:
            current = kept[:1]
            if not current:
                current = [compute()]
                kept[:] = current
            return current[0]

    def forget() -> None:
        dropped = kept[:1]
        kept.clear()
        if dropped and on_forget is not None:
            on_forget(dropped[0])

    return value, forget


def _per_thread(compute: Callable[[], T]) -> tuple[Callable[[], T], Callable[[], None]]:
    # Forgetting swaps in a new thread-local: no thread can drop another's value, but
    # each finds none on its next call. A value computed during the swap lands in the
    # old one, so it is computed again.
    current = [threading.local()]

    def value() -> T:
        local = current[0]
        try:
            kept: T = local.value
        except AttributeError:
            kept = local.value = compute()
        return kept

    def forget() -> None:
        current[0] = threading.local()

    return value, forget
