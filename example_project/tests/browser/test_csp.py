"""The browser tests run under the production Content-Security-Policy, and notice a breach."""

import time

import pytest

from prodready_security.headers.models import CSPReport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORT_WAIT_SECONDS = 10  # the browser posts reports on its own schedule
PROBE = (
    "document.body.insertAdjacentHTML('beforeend', '<p id=\"probe\" style=\"color: red\">.</p>')"
)


def directives(header: str) -> dict[str, list[str]]:
    parsed = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parsed}


def test_pages_come_with_the_strict_policy(page):
    response = page.goto("/accounts/login/")
    assert response.status == 200
    policy = directives(response.headers["content-security-policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["report-uri"] == ["/security/csp/report/"]
    # Nothing loosens styles or scripts: they fall back to default-src 'self'.
    assert not {"style-src", "script-src", "style-src-attr", "script-src-attr"} & set(policy)
    assert not [value for values in policy.values() for value in values if "unsafe" in value]


def test_a_violation_is_seen_in_the_page_and_reported_to_the_site(page, csp_violations):
    page.goto("/accounts/login/")
    # What a template with style="..." does: the policy refuses the inline style.
    page.evaluate(PROBE)
    assert page.locator("#probe").evaluate("e => getComputedStyle(e).color") != "rgb(255, 0, 0)"

    deadline = time.monotonic() + REPORT_WAIT_SECONDS
    while not CSPReport.objects.exists() and time.monotonic() < deadline:
        page.wait_for_timeout(100)  # Playwright delivers the page's events meanwhile
    seen = csp_violations.take()  # taken, so that this test itself passes
    assert any(item.startswith("event: style-src-attr blocked inline") for item in seen), seen
    assert any(item.startswith("console: ") and "inline style" in item for item in seen), seen
    assert any(item.startswith("report: style-src-attr blocked inline") for item in seen), seen
    assert not CSPReport.objects.exists()  # take() clears them
