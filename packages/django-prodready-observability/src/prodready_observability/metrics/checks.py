"""System checks for the request analytics and metrics settings.

Ids are stable and never reused (the Sentry ones are in ``prodready_observability.sentry.checks``):

- ``prodready_observability.E010`` an entry of PRODREADY_METRICS_ALLOWED_ADDRESSES is not an
  address or network
- ``prodready_observability.E011`` PRODREADY_ANALYTICS_SLOW_REQUEST_MS is not above 0
- ``prodready_observability.E012`` an entry of PRODREADY_ANALYTICS_SKIP_PATHS is not a path
  below the site root
- ``prodready_observability.E013`` PRODREADY_ANALYTICS_REQUEST_ID_HEADER is not a header name
- ``prodready_observability.E014`` PROMETHEUS_MULTIPROC_DIR is not a writable directory
- ``prodready_observability.E015`` PRODREADY_ANALYTICS_CACHE names no cache in CACHES
- ``prodready_observability.E016`` PRODREADY_ANALYTICS_MAX_ROUTES is below 1
- ``prodready_observability.E017`` PRODREADY_METRICS_MAX_TASK_NAMES is below 1
- ``prodready_observability.W010`` PRODREADY_METRICS_TOKEN is shorter than 32 characters
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning

from prodready.checks import reads_settings
from prodready.client_ip import split_networks
from prodready_observability.conf import conf
from prodready_observability.metrics.registry import MULTIPROC_VARIABLE, multiprocess_directory

MIN_TOKEN_LENGTH = 32
_HEADER_NAME = re.compile(r"[A-Za-z0-9-]{1,64}")


@reads_settings
def check_metrics_settings(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    return [
        *_allowed_addresses(),
        *_slow_request_ms(),
        *_skip_paths(),
        *_request_id_header(),
        *_multiprocess_directory(),
        *_analytics_cache(),
        *_max_routes(),
        *_max_task_names(),
        *_short_token(),
    ]


def _analytics_cache() -> list[CheckMessage]:
    alias: object = conf.ANALYTICS_CACHE
    if not isinstance(alias, str) or alias in settings.CACHES:
        return []
    return [
        Error(
            f"PRODREADY_ANALYTICS_CACHE is {alias!r}, which is not a cache in CACHES "
            f"({', '.join(sorted(settings.CACHES)) or 'none'}).",
            hint="Name a cache that every process shares (Redis), or set it to None to turn "
            "the dashboard's request counts off.",
            id="prodready_observability.E015",
        )
    ]


def _max_routes() -> list[CheckMessage]:
    value: object = conf.ANALYTICS_MAX_ROUTES
    if not isinstance(value, int) or isinstance(value, bool) or value >= 1:
        return []
    return [
        Error(
            f"PRODREADY_ANALYTICS_MAX_ROUTES must be at least 1; found {value!r}.",
            hint="Set it to how many routes the dashboard keeps apart per minute, such as 50.",
            id="prodready_observability.E016",
        )
    ]


def _max_task_names() -> list[CheckMessage]:
    value: object = conf.METRICS_MAX_TASK_NAMES
    if not isinstance(value, int) or isinstance(value, bool) or value >= 1:
        return []
    return [
        Error(
            f"PRODREADY_METRICS_MAX_TASK_NAMES must be at least 1; found {value!r}.",
            hint="Set it to how many Celery task names the metrics keep apart, such as 100.",
            id="prodready_observability.E017",
        )
    ]


def _allowed_addresses() -> list[CheckMessage]:
    entries: object = conf.METRICS_ALLOWED_ADDRESSES
    if not isinstance(entries, (list, tuple)):
        return []
    return [
        Error(
            f"PRODREADY_METRICS_ALLOWED_ADDRESSES entry {entry!r} is not an IP address "
            "or network.",
            hint="Write each entry as an address or network, such as '10.0.0.5' or "
            "'10.0.0.0/8'; until then it allows nobody.",
            id="prodready_observability.E010",
        )
        for entry in split_networks(entries)[1]
    ]


def _slow_request_ms() -> list[CheckMessage]:
    value: object = conf.ANALYTICS_SLOW_REQUEST_MS
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value > 0:
        return []
    return [
        Error(
            f"PRODREADY_ANALYTICS_SLOW_REQUEST_MS must be above 0; found {value!r}.",
            hint="Set it to the number of milliseconds above which a request is slow, "
            "such as 1000.",
            id="prodready_observability.E011",
        )
    ]


def _skip_paths() -> list[CheckMessage]:
    paths: object = conf.ANALYTICS_SKIP_PATHS
    if not isinstance(paths, (list, tuple)):
        return []
    return [
        Error(
            f"PRODREADY_ANALYTICS_SKIP_PATHS entry {path!r} is not a path below the site root.",
            hint="Write each entry as a path starting with '/', such as '/health'; '/' alone "
            "would skip every request.",
            id="prodready_observability.E012",
        )
        for path in paths
        if isinstance(path, str) and (not path.startswith("/") or not path.strip("/"))
    ]


def _request_id_header() -> list[CheckMessage]:
    header: object = conf.ANALYTICS_REQUEST_ID_HEADER
    if not isinstance(header, str) or _HEADER_NAME.fullmatch(header):
        return []
    return [
        Error(
            f"PRODREADY_ANALYTICS_REQUEST_ID_HEADER is not a header name: {header!r}.",
            hint="Use letters, digits and dashes only, such as 'X-Request-ID'.",
            id="prodready_observability.E013",
        )
    ]


def _multiprocess_directory() -> list[CheckMessage]:
    directory = multiprocess_directory()
    if not directory or (os.path.isdir(directory) and os.access(directory, os.W_OK)):
        return []
    return [
        Error(
            f"{MULTIPROC_VARIABLE} is {directory!r}, which is not a writable directory.",
            hint="Create the directory (empty it at each deploy, before the workers start) "
            f"and let the server's user write to it, or unset {MULTIPROC_VARIABLE}.",
            id="prodready_observability.E014",
        )
    ]


def _short_token() -> list[CheckMessage]:
    token: object = conf.METRICS_TOKEN
    if not isinstance(token, str) or not token or len(token) >= MIN_TOKEN_LENGTH:
        return []
    return [
        Warning(
            f"PRODREADY_METRICS_TOKEN is {len(token)} characters long; a token this short "
            "can be guessed.",
            hint=f"Use at least {MIN_TOKEN_LENGTH} random characters, such as the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`.",
            id="prodready_observability.W010",
        )
    ]
