"""The operations dashboard in a browser: charts drawn, ranges switched, every page of the
shared navigation opened, under the production settings and their CSP.

The ``page`` fixture fails the test on any CSP violation; this test also fails on any
console error or uncaught script error (a chart that could not be drawn). Screenshots of
each range and each page go to ``artifacts_dir``.
"""

import re

import pytest

from tests.browser.conftest import PASSWORD, log_in, set_up_2fa

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RANGES = [("6h", "6 hours"), ("24h", "24 hours"), ("7d", "7 days"), ("1h", "1 hour")]
# Every package's staff pages, as prodready_operations_pages composes them for a superuser.
NAVIGATION = [
    "Dashboard",
    "Backups",
    "Celery",
    "Slow requests",
    "Slow queries",
    "Exceptions",
    "Audit log",
    "CSP reports",
    "Sign-in lockouts",
    "Sessions",
    "Two-factor",
    "Health (JSON)",
    "Admin",
]


def watch_errors(page):
    """Console errors and uncaught exceptions of ``page``, as they happen."""
    errors = []

    def console(message):
        if message.type == "error":
            errors.append(f"console error on {page.url}: {message.text}")

    page.on("console", console)
    # The site ships no favicon: the browser's own request for one is not a page's error.
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    page.on("pageerror", lambda error: errors.append(f"script error on {page.url}: {error}"))
    return errors


def check_charts(page, expect):
    """Every chart on the page drawn by charts.js: a uPlot canvas with a legend."""
    charts = page.locator("[data-pr-chart]")
    expect(page.locator("[data-pr-chart]:not([data-pr-drawn])")).to_have_count(0)
    count = charts.count()
    assert count >= 3, "the requests, latency and sign-ups charts"
    for index in range(count):
        chart = charts.nth(index)
        expect(chart.locator("canvas")).to_have_count(1)
        size = chart.locator("canvas").evaluate("canvas => [canvas.width, canvas.height]")
        assert min(size) > 100, size
        expect(chart.locator(".u-legend")).to_be_visible()
    return count


def test_the_dashboard_switches_ranges_and_links_every_operations_page(
    page, expect, django_user_model, artifacts_dir
):
    errors = watch_errors(page)
    django_user_model.objects.create_superuser("olivia", password=PASSWORD)
    log_in(page, "olivia", next_url="/ops/")
    expect(page).to_have_url(re.compile(r"/account/2fa/setup/"))
    set_up_2fa(page)
    # A few requests for the requests card to count (the live server shares this process).
    for path in ("/", "/school/lessons/", "/school/invoices/"):
        page.goto(path)

    page.goto("/ops/")
    expect(page.get_by_role("heading", name="Operations dashboard", level=1)).to_be_visible()
    check_charts(page, expect)
    legends = page.locator(".u-legend").all_inner_texts()
    assert any("Requests" in text and "Server errors (5xx)" in text for text in legends)
    assert any("New users" in text for text in legends)
    page.screenshot(path=str(artifacts_dir / "dashboard-1h.png"), full_page=True)

    ranges = page.get_by_role("navigation", name="Time range")
    for key, label in RANGES:
        ranges.get_by_role("link", name=label, exact=True).click()
        expect(page).to_have_url(re.compile(rf"/ops/\?range={key}$"))
        expect(ranges.locator("a[aria-current]")).to_have_text(label)
        check_charts(page, expect)
        if key != "1h":  # the analytics store keeps one hour, and the card says so
            expect(page.get_by_text("keeps only the last hour").first).to_be_visible()
        page.screenshot(path=str(artifacts_dir / f"dashboard-{key}.png"), full_page=True)

    nav = page.get_by_role("navigation", name="Operations")
    entries = nav.locator("a").evaluate_all(
        "links => links.map(link => [link.textContent.trim(), link.getAttribute('href')])"
    )
    assert [label for label, _href in entries] == NAVIGATION
    for label, href in entries:
        response = page.goto(href)
        assert response is not None
        assert response.status == 200, f"{label} ({href}) answered {response.status}"
        if label == "Health (JSON)":
            assert "checks" in response.json()
        elif label != "Admin":  # the admin has its own layout
            here = page.get_by_role("navigation", name="Operations")
            expect(here.locator("a[aria-current=page]")).to_have_text(label)
            expect(page.get_by_role("link", name="Back to the site")).to_be_visible()
        name = re.sub(r"\W+", "-", label.lower()).strip("-")
        page.screenshot(path=str(artifacts_dir / f"operations-{name}.png"), full_page=True)

    page.goto("/ops/")
    page.get_by_role("link", name="Back to the site").click()
    expect(page).to_have_url(re.compile(r"/$"))
    assert errors == []
