"""Reading CSP violation reports in both formats browsers send.

- ``application/csp-report`` (``report-uri``): ``{"csp-report": {"document-uri": ...}}``
- ``application/reports+json`` (Reporting API, ``report-to``): a list of
  ``{"type": "csp-violation", "body": {"documentURL": ...}}``
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from prodready_security.conf import conf
from prodready_security.headers import storable

CSP_REPORT = "application/csp-report"
REPORTS_JSON = "application/reports+json"
CONTENT_TYPES = (CSP_REPORT, REPORTS_JSON, "application/json")
MAX_REPORTS = 20  # one Reporting API delivery may batch several; more is abuse
MAX_LINE_NUMBER = 2**31 - 1  # the largest a PositiveIntegerField holds on every database

# Our field -> (the csp-report key, the Reporting API key).
FIELDS = {
    "document_uri": ("document-uri", "documentURL"),
    "blocked_uri": ("blocked-uri", "blockedURL"),
    "directive": ("effective-directive", "effectiveDirective"),
    "disposition": ("disposition", "disposition"),
    "source_file": ("source-file", "sourceFile"),
    "line_number": ("line-number", "lineNumber"),
}


def room_today() -> int:
    """How many more reports may be stored before the last 24 hours hold the daily cap."""
    from prodready_security.headers.models import CSPReport

    cap = conf.HEADERS_CSP_REPORT_MAX_PER_DAY
    since = timezone.now() - timedelta(days=1)
    # Sliced, so the count stops at the cap instead of scanning a flood.
    stored = CSPReport.objects.filter(received_at__gte=since)[:cap].count()
    return max(cap - stored, 0)


class InvalidReport(ValueError):
    """A body that is not a CSP violation report."""


def parse(content_type: str, body: bytes) -> list[dict[str, Any]]:
    """The violations of one request body, as model field values (``body`` included)."""
    try:
        data = storable.loads(body)
    except storable.NotStorable as exc:
        raise InvalidReport(str(exc)) from exc
    if content_type == REPORTS_JSON or isinstance(data, list):
        return _reporting_api(data)
    if isinstance(data, dict) and isinstance(data.get("csp-report"), dict):
        return [_fields(data["csp-report"], 0, data)]
    raise InvalidReport("expected {'csp-report': {...}} or a list of reports")


def _reporting_api(data: object) -> list[dict[str, Any]]:
    if not isinstance(data, list) or not data or len(data) > MAX_REPORTS:
        raise InvalidReport(f"expected a list of 1 to {MAX_REPORTS} reports")
    found = [
        _fields(report["body"], 1, report)
        for report in data
        if isinstance(report, dict)
        and report.get("type") == "csp-violation"
        and isinstance(report.get("body"), dict)
    ]
    if not found:
        raise InvalidReport("the list holds no 'csp-violation' report")
    return found


def _fields(violation: dict[str, Any], style: int, raw: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {"body": raw}
    for field, keys in FIELDS.items():
        value = violation.get(keys[style])
        if field == "line_number":
            in_range = type(value) is int and 0 <= value <= MAX_LINE_NUMBER
            values[field] = value if in_range else None
        else:
            values[field] = str(value)[:2000] if value is not None else ""
    if not values["directive"]:  # old browsers only send violated-directive
        values["directive"] = str(violation.get("violated-directive", ""))
    values["directive"] = values["directive"][:200]
    values["disposition"] = values["disposition"][:20]
    return values
