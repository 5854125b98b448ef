"""The built-in scrubber for Sentry events, transactions and breadcrumbs.

Sentry-specific shapes are handled first (header allowlist, SQL in query
breadcrumbs and database spans); then every part of the event is walked with the
shared scrubber: messages and their arguments, exception values of the whole
chain, the variables of every frame (not only in-app ones), breadcrumbs, extra,
contexts, tags, the request and Celery task arguments.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from prodready_observability.context import current_request
from prodready_observability.scrub import Scrubber
from prodready_observability.scrub.values import path_masker, path_secrets, request_path_secrets
from prodready_observability.scrub.walk import mask_strings
from prodready_observability.sentry.queries import scrub_database_span, scrub_query_breadcrumb
from prodready_observability.sentry.request import scrub_headers

# Parts that describe the SDK and the process, never user data: skipping them
# keeps the walk cheap and leaves their structure as Sentry expects it.
SDK_KEYS = frozenset({"_meta", "debug_meta", "modules", "sdk"})


def scrub_event(
    event: dict[str, Any], scrubber: Scrubber, header_allowlist: frozenset[str]
) -> None:
    """Mask every secret in ``event`` (an error or a transaction), in place."""
    mask_path_secrets(event, scrubber, _url_path(event))
    request = event.get("request")
    if isinstance(request, dict):
        scrub_headers(request, header_allowlist, scrubber)
    for crumb in _breadcrumbs(event):
        scrub_query_breadcrumb(crumb)
    spans = event.get("spans")
    if isinstance(spans, list):
        for span in spans:
            if isinstance(span, dict):
                scrub_database_span(span)
    for key, value in event.items():
        if key not in SDK_KEYS:
            event[key] = scrubber.value(value)


def scrub_breadcrumb(crumb: dict[str, Any], scrubber: Scrubber) -> None:
    """Mask every secret in one breadcrumb, in place, as it is recorded."""
    mask_path_secrets(crumb, scrubber)
    scrub_query_breadcrumb(crumb)
    for key, value in crumb.items():
        crumb[key] = scrubber.value(value)


def scrub_log(log: dict[str, Any], scrubber: Scrubber) -> None:
    """Mask every secret in one Sentry log record, in place."""
    mask_path_secrets(log, scrubber)
    for key, value in log.items():
        log[key] = scrubber.value(value)


def mask_path_secrets(item: dict[str, Any], scrubber: Scrubber, path: str | None = None) -> None:
    """Mask, in place, what the URL pattern of ``path`` and of the current request
    capture under a secret name (``/reset/<uidb64>/<token>/``): in the request's URL,
    the transaction's name, breadcrumbs, messages, everywhere."""
    values: tuple[str, ...] = ()
    request = current_request()
    if request is not None:
        values = request_path_secrets(request, scrubber.is_secret_key)
    if path is not None:
        values = (*values, *path_secrets(path, scrubber.is_secret_key))
    if not values:
        return
    mask = path_masker(tuple(sorted(set(values), key=len, reverse=True)))
    for key, value in item.items():
        if key not in SDK_KEYS:
            item[key] = mask_strings(value, mask)


def _url_path(event: dict[str, Any]) -> str | None:
    request = event.get("request")
    url = request.get("url") if isinstance(request, dict) else None
    return urlsplit(url).path or "/" if isinstance(url, str) else None


def _breadcrumbs(event: dict[str, Any]) -> list[dict[str, Any]]:
    crumbs = event.get("breadcrumbs")
    values = crumbs.get("values") if isinstance(crumbs, dict) else crumbs
    return (
        [crumb for crumb in values if isinstance(crumb, dict)] if isinstance(values, list) else []
    )
