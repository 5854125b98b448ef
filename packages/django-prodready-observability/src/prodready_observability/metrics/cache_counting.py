"""Counts each key read from a cache as a hit or a miss, per alias (``prodready_cache_gets``).

:func:`install` (from ``AppConfig.ready()`` while ``PRODREADY_METRICS_CACHE`` is on) makes
Django's ``caches`` wrap the ``get`` and ``get_many`` of every backend instance it creates,
whatever the backend: only the instance's two methods are replaced, so its class, what it
stores and how it pickles stay as they were. A read asks the backend with a private
sentinel as the default, so a stored ``None`` is a hit and the caller's ``default`` comes
back on a miss. A read made inside another (``BaseCache.get_many`` calls ``get`` per key,
the database cache's ``get`` calls ``get_many``) is counted once, by the outer one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache

from prodready.conf import InvalidSetting
from prodready_observability.conf import conf
from prodready_observability.metrics.definitions import CACHE_GETS

_MISSING = object()
_state = threading.local()  # .inside: a counted read (or uncounted()) is under way
_children: dict[str, tuple[Any, Any]] = {}


def _counters(alias: str) -> tuple[Any, Any]:
    """The (hit, miss) counters of ``alias``: ``labels()`` locks, so each is made once."""
    found = _children.get(alias)
    if found is None:
        found = _children[alias] = (
            CACHE_GETS.labels(alias, "hit"),
            CACHE_GETS.labels(alias, "miss"),
        )
    return found


def wrap(backend: BaseCache, alias: str) -> BaseCache:
    """Count ``backend``'s reads under ``alias``; wrapping it twice counts once."""
    if getattr(backend, "_prodready_counted", False):
        return backend
    get, get_many = backend.get, backend.get_many
    hit, miss = _counters(alias)

    def counted_get(key: Any, default: Any = None, *args: Any, **kwargs: Any) -> Any:
        if getattr(_state, "inside", False):
            return get(key, default, *args, **kwargs)
        _state.inside = True
        try:
            value = get(key, _MISSING, *args, **kwargs)
        finally:
            _state.inside = False
        if value is _MISSING:
            miss.inc()
            return default
        hit.inc()
        return value

    def counted_get_many(keys: Iterable[Any], *args: Any, **kwargs: Any) -> dict[Any, Any]:
        if getattr(_state, "inside", False):
            return get_many(keys, *args, **kwargs)
        keys = list(keys)  # a generator can be read once only
        _state.inside = True
        try:
            found: dict[Any, Any] = get_many(keys, *args, **kwargs)
        finally:
            _state.inside = False
        asked = len(dict.fromkeys(keys))  # a key asked twice is one read
        if found:
            hit.inc(len(found))
        if asked > len(found):
            miss.inc(asked - len(found))
        return found

    backend.get = counted_get  # type: ignore[method-assign]
    backend.get_many = counted_get_many  # type: ignore[method-assign]
    backend._prodready_counted = True  # type: ignore[attr-defined]
    return backend


@contextmanager
def uncounted() -> Iterator[None]:
    """Within it, this thread's reads are not counted: the dashboard reading its own
    figures from the cache would otherwise count as the site's traffic."""
    before = getattr(_state, "inside", False)
    _state.inside = True
    try:
        yield
    finally:
        _state.inside = before


def install_if_on() -> None:
    """From ``AppConfig.ready()``: install while ``PRODREADY_METRICS_CACHE`` is on (a value
    of the wrong type is ``prodready.E002``'s to report, not a crash at start-up)."""
    try:
        on = conf.METRICS_CACHE
    except InvalidSetting:
        return
    if on:
        install()


def install() -> None:
    """Wrap every backend ``caches`` makes from now on, and those this thread has made."""
    if getattr(caches, "_prodready_counting", False):
        return
    create = caches.create_connection

    def create_counted(alias: str) -> BaseCache:
        return wrap(create(alias), alias)

    caches.create_connection = create_counted  # type: ignore[method-assign]
    caches._prodready_counting = True  # type: ignore[attr-defined]
    # Backends made before ready() (settings that read a cache): the handler keeps them
    # per thread in _connections, under their alias.
    for alias in caches.settings:
        made = getattr(caches._connections, alias, None)  # type: ignore[attr-defined]
        if made is not None:
            wrap(made, alias)
