"""The CSP violation report endpoint and the staff page of recent reports."""

from __future__ import annotations

import logging

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from prodready.client_ip import client_ip
from prodready_security.conf import conf
from prodready_security.headers import reports, storable
from prodready_security.headers.models import CSPReport
from prodready_security.ratelimit import limiter
from prodready_security.ratelimit.keys import by_ip
from prodready_security.ratelimit.rates import parse_rate
from prodready_security.ratelimit.rules import Rule

logger = logging.getLogger(__name__)

VIEW_PERMISSION = "prodready_security.view_cspreport"
RECENT = 100


# Browsers post reports without a CSRF token or cookies: the endpoint is open by design,
# so it is rate-limited per address, size-limited before anything is parsed, and stores
# at most PRODREADY_HEADERS_CSP_REPORT_MAX_PER_DAY reports a day from everyone together.
@csrf_exempt
@require_POST
def report(request: HttpRequest) -> HttpResponse:
    refused = limiter.check(request, [report_rule()])
    if refused is not None:
        return refused
    if request.content_type not in reports.CONTENT_TYPES:
        expected = " or ".join(reports.CONTENT_TYPES[:2])
        return HttpResponse(f"Expected {expected}.", status=415, content_type="text/plain")
    limit = conf.HEADERS_CSP_REPORT_MAX_BYTES
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not declared.isdigit() or int(declared) > limit:
        return _too_large(limit)
    body = request.read(limit + 1)  # a lying Content-Length still cannot send more
    if len(body) > limit:
        return _too_large(limit)
    try:
        violations = reports.parse(request.content_type, body)
    except reports.InvalidReport as exc:
        return HttpResponse(f"Not a CSP report: {exc}.", status=400, content_type="text/plain")
    room = reports.room_today()
    if room == 0:
        return _full()
    address = client_ip(request)[:45]
    agent = storable.text(request.META.get("HTTP_USER_AGENT", ""))[:500]
    # A batch is stored whole or not at all.
    with transaction.atomic(using=router.db_for_write(CSPReport)):
        CSPReport.objects.bulk_create(
            CSPReport(client_address=address, user_agent=agent, **values)
            for values in violations[:room]
        )
    if room <= len(violations):
        logger.warning(
            "PRODREADY_HEADERS_CSP_REPORT_MAX_PER_DAY (%s) is reached: CSP reports are "
            "dropped until older ones are over a day old",
            conf.HEADERS_CSP_REPORT_MAX_PER_DAY,
        )
    return HttpResponse(status=204)


def report_rule() -> Rule:
    """A built-in rate-limit rule, counted like the middleware's (shared cache, per address)."""
    return Rule(
        name="csp-report",
        rate=parse_rate(conf.HEADERS_CSP_REPORT_RATE),
        key=by_ip,
        key_spec="ip",
        api=True,
    )


def _too_large(limit: int) -> HttpResponse:
    return HttpResponse(f"Reports are limited to {limit} bytes.", status=413)


def _full() -> HttpResponse:
    # 429 like the rate limit; browsers drop a report that is refused, which is the point.
    return HttpResponse(
        "This site stores no more CSP reports today.", status=429, content_type="text/plain"
    )


@never_cache
def recent_reports(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (request.user.is_staff and request.user.has_perm(VIEW_PERMISSION)):
        raise PermissionDenied(gettext("CSP reports are for staff allowed to view them."))
    context = {"reports": CSPReport.objects.order_by("-received_at")[:RECENT]}
    return render(request, "prodready_security/headers/csp_reports.html", context)
