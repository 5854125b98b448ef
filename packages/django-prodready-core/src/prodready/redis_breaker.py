"""A redis-py connection pool whose connections fail at once while their server is down.

Name it as the pool class of a Redis cache (needs ``django-prodready-core[redis]``)::

    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://redis:6379/0",
            "OPTIONS": {
                "CONNECTION_POOL_CLASS": "prodready.redis_breaker.BreakerConnectionPool",
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
                "IGNORE_EXCEPTIONS": True,  # an outage reads as cache misses
            },
        }
    }

(Django's own ``RedisCache`` takes ``"pool_class"`` in ``OPTIONS`` instead.) Every
client of the pool shares the server's :mod:`circuit breaker <prodready.breaker>`:
the cache, sessions stored in it, and rate limits counted on its raw client. Once a
call failed to connect, timed out or lost its connection, calls raise
``BreakerOpen`` (a ``redis.ConnectionError``, which django-redis and the rate limiter
treat as an outage) without touching the network until the breaker lets one call try
the server again. A server that answers, even with an error reply, closes the breaker.

``BreakerConnectionPool`` and ``BreakerOpen`` subclass redis-py's classes, so they are
made when first used: importing this module needs no redis.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from prodready.breaker import breaker

if TYPE_CHECKING:
    import redis

    BreakerConnectionPool: type[redis.ConnectionPool]
    BreakerOpen: type[redis.ConnectionError]

EXTRA = "django-prodready-core[redis]"


def __getattr__(name: str) -> Any:
    if name in ("BreakerConnectionPool", "BreakerOpen"):
        return _redis_classes()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class BreakerConnectionMixin:
    """Checks the breaker before a connection talks to its server, and reports to it.

    Mixed into a redis-py connection class by :func:`with_breaker`, which also sets the
    exception classes below.
    """

    _outages: tuple[type[BaseException], ...]  # the server did not answer
    _error_reply: type[BaseException]  # it answered, with an error
    _breaker_open: type[Exception]  # what a skipped call raises
    _admitted = False  # this connection carries the breaker's try while it is open

    # Methods of redis.connection.AbstractConnection. Newer redis-py connects through
    # connect_check_health(), which send_packed_command() calls without connect().

    def connect(self, *args: Any, **kwargs: Any) -> Any:
        return self._guarded(super().connect, args, kwargs)  # type: ignore[misc]

    def connect_check_health(self, *args: Any, **kwargs: Any) -> Any:
        return self._guarded(super().connect_check_health, args, kwargs)  # type: ignore[misc]

    def send_packed_command(self, *args: Any, **kwargs: Any) -> Any:
        return self._guarded(super().send_packed_command, args, kwargs)  # type: ignore[misc]

    def read_response(self, *args: Any, **kwargs: Any) -> Any:
        try:
            response = super().read_response(*args, **kwargs)  # type: ignore[misc]
        except self._error_reply:
            self._answered()
            raise
        except self._breaker_open:
            raise
        except self._outages as exc:
            self._failed(exc)
            raise
        self._answered()
        return response

    def disconnect(self, *args: Any, **kwargs: Any) -> Any:
        self._admitted = False
        return super().disconnect(*args, **kwargs)  # type: ignore[misc]

    def _guarded(self, call: Any, args: Any, kwargs: Any) -> Any:
        self._admit()
        try:
            return call(*args, **kwargs)
        except self._breaker_open:
            raise
        except self._outages as exc:
            self._failed(exc)
            raise

    def _admit(self) -> None:
        state = breaker(self._breaker_name)
        if not state.is_open or self._admitted:
            return
        if state.allow():
            self._admitted = True
            return
        raise self._breaker_open(state.refusal())

    def _answered(self) -> None:
        self._admitted = False
        breaker(self._breaker_name).succeeded()

    def _failed(self, error: BaseException) -> None:
        self._admitted = False
        breaker(self._breaker_name).failed(error)

    @functools.cached_property
    def _breaker_name(self) -> str:
        path = getattr(self, "path", None)
        if path:
            return f"redis+unix://{path}"
        return f"redis://{getattr(self, 'host', '?')}:{getattr(self, 'port', '?')}"


_with_breaker: dict[type[Any], type[Any]] = {}


def with_breaker(connection_class: type[Any]) -> type[Any]:
    """``connection_class`` (plain, TLS or Unix socket) with the breaker mixed in."""
    if issubclass(connection_class, BreakerConnectionMixin):
        return connection_class
    if connection_class not in _with_breaker:  # one class per class: pools may compare them
        classes = _redis_classes()
        attributes = {
            "_outages": classes["outages"],
            "_error_reply": classes["error_reply"],
            "_breaker_open": classes["BreakerOpen"],
        }
        name = f"Breaker{connection_class.__name__}"
        bases = (BreakerConnectionMixin, connection_class)
        _with_breaker[connection_class] = type(name, bases, attributes)
    return _with_breaker[connection_class]


@functools.cache
def _redis_classes() -> dict[str, Any]:
    try:
        import redis
        from redis.exceptions import ResponseError
    except ImportError as exc:
        raise ImportError(f"prodready.redis_breaker needs redis: pip install {EXTRA}") from exc

    class BreakerOpen(redis.ConnectionError):
        """Refused without asking the server: it failed moments ago."""

    class BreakerConnectionPool(redis.ConnectionPool):
        """redis-py's pool, making connections of the class it would, with the breaker.

        ``from_url`` picks the class from the URL (``rediss://`` for TLS, ``unix://``),
        so the breaker wraps whichever it picked.
        """

        def __init__(self, connection_class: type[Any] = redis.Connection, **kwargs: Any) -> None:
            super().__init__(connection_class=with_breaker(connection_class), **kwargs)

    for made in (BreakerOpen, BreakerConnectionPool):  # named as they are imported
        made.__module__, made.__qualname__ = __name__, made.__name__
    return {
        "BreakerOpen": BreakerOpen,
        "BreakerConnectionPool": BreakerConnectionPool,
        # A server that does not answer: refused, reset, timed out (redis-py wraps most
        # socket errors in its own).
        "outages": (redis.ConnectionError, redis.TimeoutError, OSError),
        "error_reply": ResponseError,
    }
