"""The middleware's settings, read once and kept until one of them changes.

Reading a Django setting that is not set costs an AttributeError each time; the
middleware reads several per request, so it keeps them here. ``override_settings``
and anything else that sends ``setting_changed`` makes them read again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from prodready.conf import derived_from
from prodready_observability.conf import conf
from prodready_observability.sentry.transactions import path_matcher


@dataclass(frozen=True)
class Options:
    header: str
    meta_key: str
    trust_incoming: bool
    skips: Callable[[str], bool]  # whether a path is in PRODREADY_ANALYTICS_SKIP_PATHS or below
    slow_ms: float


@derived_from(
    "PRODREADY_ANALYTICS_REQUEST_ID_HEADER",
    "PRODREADY_ANALYTICS_TRUST_REQUEST_ID",
    "PRODREADY_ANALYTICS_SKIP_PATHS",
    "PRODREADY_ANALYTICS_SLOW_REQUEST_MS",
)
def options() -> Options:
    header = conf.ANALYTICS_REQUEST_ID_HEADER
    return Options(
        header=header,
        meta_key="HTTP_" + header.upper().replace("-", "_"),
        trust_incoming=conf.ANALYTICS_TRUST_REQUEST_ID,
        skips=path_matcher(conf.ANALYTICS_SKIP_PATHS),
        slow_ms=conf.ANALYTICS_SLOW_REQUEST_MS,
    )
