"""The middleware's settings, read once and kept until a setting changes.

Reading a Django setting that is not set costs an AttributeError each time; the
middleware reads several per request, so it keeps them here. ``override_settings``
and anything else that sends ``setting_changed`` makes them read again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.signals import setting_changed

from prodready_observability.conf import conf
from prodready_observability.sentry.transactions import path_matcher


@dataclass(frozen=True)
class Options:
    header: str
    meta_key: str
    trust_incoming: bool
    skips: Callable[[str], bool]  # whether a path is in PRODREADY_ANALYTICS_SKIP_PATHS or below
    slow_ms: float


_current: list[Options] = []


def options() -> Options:
    if not _current:
        header = conf.ANALYTICS_REQUEST_ID_HEADER
        _current.append(
            Options(
                header=header,
                meta_key="HTTP_" + header.upper().replace("-", "_"),
                trust_incoming=conf.ANALYTICS_TRUST_REQUEST_ID,
                skips=path_matcher(conf.ANALYTICS_SKIP_PATHS),
                slow_ms=conf.ANALYTICS_SLOW_REQUEST_MS,
            )
        )
    return _current[0]


def forget(**kwargs: Any) -> None:
    _current.clear()


setting_changed.connect(forget, dispatch_uid="prodready_observability.requests.options")
