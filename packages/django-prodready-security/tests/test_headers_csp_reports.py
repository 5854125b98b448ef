"""The CSP violation report endpoint, the staff page and the read-only admin."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.cache import caches
from django.test import Client, override_settings

from prodready_security.headers.models import CSPReport
from tests.headers_support import REPORT_URL
from tests.ratelimit_support import redis_cache

pytestmark = [pytest.mark.urls("tests.headers_support"), pytest.mark.django_db]

LEGACY = {
    "csp-report": {
        "document-uri": "https://example.com/page/",
        "referrer": "",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "original-policy": "default-src 'self'; report-uri /security/csp/report/",
        "disposition": "enforce",
        "blocked-uri": "https://evil.example.net/x.js",
        "line-number": 12,
        "source-file": "https://example.com/page/",
        "status-code": 200,
    }
}
REPORTING_API = [
    {
        "type": "csp-violation",
        "age": 10,
        "url": "https://example.com/other/",
        "user_agent": "Mozilla/5.0",
        "body": {
            "documentURL": "https://example.com/other/",
            "blockedURL": "inline",
            "effectiveDirective": "style-src-attr",
            "disposition": "report",
            "lineNumber": 3,
        },
    },
    {"type": "deprecation", "body": {"id": "x"}},  # other report types are skipped
]


@pytest.fixture(autouse=True)
def _fresh_counters() -> Iterator[None]:
    """The endpoint's rate limit counts in the cache: start every test from zero."""
    caches["default"].clear()
    yield
    caches["default"].clear()


def post(client: Client, body: Any, content_type: str, **extra: Any) -> Any:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(REPORT_URL, data, content_type=content_type, **extra)


def test_a_report_uri_report_is_stored(client: Client) -> None:
    response = post(client, LEGACY, "application/csp-report", HTTP_USER_AGENT="Firefox/140")
    assert response.status_code == 204
    [report] = CSPReport.objects.all()
    assert report.directive == "script-src-elem"
    assert report.blocked_uri == "https://evil.example.net/x.js"
    assert report.document_uri == "https://example.com/page/"
    assert report.line_number == 12
    assert report.disposition == "enforce"
    assert report.client_address == "127.0.0.1"
    assert report.user_agent == "Firefox/140"
    assert report.body == LEGACY


def test_a_reporting_api_batch_is_stored(client: Client) -> None:
    response = post(client, REPORTING_API, "application/reports+json")
    assert response.status_code == 204
    [report] = CSPReport.objects.all()
    assert report.directive == "style-src-attr"
    assert report.blocked_uri == "inline"
    assert report.disposition == "report"
    assert report.line_number == 3


def test_no_csrf_token_is_needed() -> None:
    client = Client(enforce_csrf_checks=True)
    assert post(client, LEGACY, "application/csp-report").status_code == 204


@override_settings(PRODREADY_HEADERS_CSP_REPORT_MAX_BYTES=200)
def test_an_oversize_body_is_refused(client: Client) -> None:
    big = {"csp-report": {**LEGACY["csp-report"], "blocked-uri": "x" * 500}}
    response = post(client, big, "application/csp-report")
    assert response.status_code == 413
    assert CSPReport.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (LEGACY, "text/plain", 415),
        (LEGACY, "application/x-www-form-urlencoded", 415),
        (b"{not json", "application/csp-report", 400),
        ({"something": "else"}, "application/csp-report", 400),
        ([{"type": "deprecation", "body": {}}], "application/reports+json", 400),
    ],
)
def test_what_is_not_a_report_is_refused(
    client: Client, body: Any, content_type: str, status: int
) -> None:
    assert post(client, body, content_type).status_code == status
    assert CSPReport.objects.count() == 0


def test_only_post(client: Client) -> None:
    assert client.get(REPORT_URL).status_code == 405


@override_settings(PRODREADY_HEADERS_CSP_REPORT_RATE="2/m")
def test_reports_are_rate_limited_per_address(client: Client) -> None:
    statuses = [post(client, LEGACY, "application/csp-report").status_code for _ in range(3)]
    assert statuses == [204, 204, 429]
    assert CSPReport.objects.count() == 2
    other = post(client, LEGACY, "application/csp-report", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 204


def staff(username: str, *permissions: str) -> Any:
    user = get_user_model().objects.create_user(username, password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=permissions))
    return user


def test_staff_see_recent_reports(client: Client) -> None:
    post(client, LEGACY, "application/csp-report")
    client.force_login(staff("sam", "view_cspreport"))
    page = client.get("/security/csp/")
    assert page.status_code == 200
    assert b"https://evil.example.net/x.js" in page.content
    assert b"script-src-elem" in page.content


def test_the_page_is_for_staff_allowed_to_view_reports(client: Client) -> None:
    assert client.get("/security/csp/").status_code == 302  # to the login page
    client.force_login(staff("no-perm"))
    assert client.get("/security/csp/").status_code == 403


def test_the_admin_is_read_only(client: Client) -> None:
    post(client, LEGACY, "application/csp-report")
    report = CSPReport.objects.get()
    admin = get_user_model().objects.create_superuser("root", password="pw")
    client.force_login(admin)
    listing = client.get("/admin/prodready_security/cspreport/")
    assert listing.status_code == 200
    assert b"evil.example.net" in listing.content
    assert client.get("/admin/prodready_security/cspreport/add/").status_code == 403
    change = f"/admin/prodready_security/cspreport/{report.pk}/change/"
    response = client.post(change, {"directive": "edited"})
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.directive == "script-src-elem"


@pytest.mark.requires_redis
@override_settings(PRODREADY_HEADERS_CSP_REPORT_RATE="1/m")
def test_the_limit_is_shared_through_redis() -> None:
    with redis_cache():
        first, second = Client(), Client()  # two "processes" sharing one Redis
        statuses = [
            post(first, LEGACY, "application/csp-report").status_code,
            post(second, LEGACY, "application/csp-report").status_code,
        ]
    assert statuses == [204, 429]
