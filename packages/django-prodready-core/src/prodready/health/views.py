"""Probe endpoints: JSON, never cached, never a secret or a traceback.

- ``live``: the process serves requests; touches no dependency, so a database
  outage never makes an orchestrator restart healthy processes.
- ``ready``: 503 when a critical check fails; names failing checks, no details.
- ``detail``: every check's status, latency and message for staff and for
  requests with ``Authorization: Bearer <PRODREADY_HEALTH_TOKEN>``; others get
  the summary ``ready`` gives.
"""

from __future__ import annotations

import hmac
import logging

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from prodready.conf import InvalidSetting, conf
from prodready.health.runner import get_report

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def ready(request: HttpRequest) -> JsonResponse:
    report = get_report()
    return _report_response(report.summary(), report.http_status)


@never_cache
@require_safe
def detail(request: HttpRequest) -> JsonResponse:
    report = get_report()
    body = report.detail() if may_see_details(request) else report.summary()
    return _report_response(body, report.http_status)


def _report_response(body: dict[str, object], status: int) -> JsonResponse:
    response = JsonResponse(body, status=status)
    # The runner has logged each failing check already. Without this, Django would
    # log every 503 probe as a server error and mail it to ADMINS every few seconds
    # for as long as a dependency is down.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def may_see_details(request: HttpRequest) -> bool:
    """Staff, or a bearer of the configured token (checked first: monitors have no session)."""
    return has_health_token(request) or _is_active_staff(request)


def has_health_token(request: HttpRequest) -> bool:
    try:
        token = conf.HEALTH_TOKEN
    except InvalidSetting as exc:  # a mistyped token unlocks nothing
        logger.error("%s", exc)
        return False
    if not token:
        return False
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    # Constant time, so the token cannot be guessed one character at a time.
    return hmac.compare_digest(presented.strip().encode(), token.encode())


def _is_active_staff(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)  # absent without AuthenticationMiddleware
    return bool(user is not None and user.is_active and user.is_staff)
