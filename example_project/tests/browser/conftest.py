"""Fixtures of the browser tests: Chromium driven by Playwright against ``live_server``.

The site runs with the production settings (``tests/browser/settings.py``, which
``python3 dev.py e2e`` passes as ``--ds``): PostgreSQL, Redis, static files collected
and served by WhiteNoise, and the Content-Security-Policy header. Any CSP violation
during a test fails it (``csp.py``).

Playwright cannot download its own browsers everywhere, so the tests drive an installed
Chromium: ``$PRODREADY_TEST_CHROMIUM``, by default Debian's ``/usr/bin/chromium``
(``apt-get install chromium``). Without Playwright, Chromium, PostgreSQL or Redis the
tests skip, saying what is missing; with ``PRODREADY_TEST_SERVICES=required`` (CI) they
fail instead.

Nothing here imports Playwright at import time: ``nox -s tests`` collects this
directory (and deselects it) without Playwright installed.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, NoReturn

import django
import pytest
from django.conf import settings
from django.core.cache import caches

from tests.browser.csp import CSPViolations

DEFAULT_CHROMIUM = "/usr/bin/chromium"
ACTION_TIMEOUT_MS = 10_000  # every click, fill and expectation
NAVIGATION_TIMEOUT_MS = 20_000  # a page load (a backup runs in the request)
LAUNCH_TIMEOUT_MS = 30_000
PASSWORD = "correct horse battery staple"
SETTINGS = "tests.browser.settings"
HERE = Path(__file__).resolve().parent


def _missing(problem: str) -> NoReturn:
    """Skip, or fail under PRODREADY_TEST_SERVICES=required."""
    if os.environ.get("PRODREADY_TEST_SERVICES") == "required":
        pytest.fail(
            f"{problem}. PRODREADY_TEST_SERVICES=required: a missing browser fails the run.",
            pytrace=False,
        )
    pytest.skip(problem)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("PRODREADY_TEST_CHROMIUM") or DEFAULT_CHROMIUM
    if not (Path(path).is_file() and os.access(path, os.X_OK)):
        _missing(
            f"No Chromium at {path}: install it (apt-get install chromium) or point "
            "$PRODREADY_TEST_CHROMIUM at one"
        )
    return path


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Any]:
    """Headless Chromium, one per test module.

    Not one per session: while Playwright runs, its event loop counts as running in
    this thread, so Django refuses ORM calls (DJANGO_ALLOW_ASYNC_UNSAFE lifts that
    here); stopping it with the module spares the tests that do not use a browser.
    """
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _missing("Playwright is not installed: pip install playwright (dependency group e2e)")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        try:
            launched = playwright.chromium.launch(
                executable_path=chromium_path, headless=True, timeout=LAUNCH_TIMEOUT_MS
            )
        except Error as exc:
            _missing(f"Chromium at {chromium_path} did not start: {exc.message.splitlines()[0]}")
        yield launched
        launched.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The production settings need PostgreSQL and Redis: mark every browser test so."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.requires_postgres)
            item.add_marker(pytest.mark.requires_redis)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The site as production serves it, on 127.0.0.1 ("localhost" may be ::1).

    collectstatic first (hashed names and the manifest, as the image's build step), then
    pytest-django's live server without its static files handler, so static files come
    through the site's own middleware (WhiteNoise) as in production.
    """
    from django.core.management import call_command
    from django.test import override_settings
    from pytest_django.live_server_helper import LiveServer

    if settings.SETTINGS_MODULE != SETTINGS or django.VERSION < (6, 0):
        pytest.fail(
            f"The browser tests run with --ds {SETTINGS} on Django 6.0 or later (its CSP "
            f"middleware), not {settings.SETTINGS_MODULE} on Django {django.get_version()}: "
            "run them with `python3 dev.py e2e`.",
            pytrace=False,
        )
    with override_settings(STATIC_ROOT=str(tmp_path_factory.mktemp("static"))):
        call_command("collectstatic", interactive=False, verbosity=0)
        server = LiveServer("127.0.0.1", start=False)
        server.thread.static_handler = lambda application: application
        server.start()
        yield server
        server.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def csp_violations(transactional_db: None) -> Iterator[CSPViolations]:
    """The CSP violations of this test's browser contexts (``page``, ``second_browser``).

    Any at the end of the test, or any report the site stored, fails it at teardown.
    """
    violations = CSPViolations()
    yield violations
    if found := violations.take():
        listed = "\n".join(f"- {violation}" for violation in found)
        pytest.fail(f"The pages broke the Content-Security-Policy:\n{listed}", pytrace=False)


def new_context(browser: Any, live_server: Any, violations: CSPViolations) -> Any:
    # English, whatever the machine's locale: the tests read the English pages, and
    # the site follows the browser's Accept-Language.
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    violations.watch(context)
    return context


def settle(page: Any) -> None:
    """A round trip to the page, so the violation events it sent before have arrived."""
    from playwright.sync_api import Error

    with suppress(Error):  # a navigation under way took the document away
        page.evaluate("0")


@pytest.fixture
def page(
    browser: Any,
    live_server: Any,
    csp_violations: CSPViolations,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> Iterator[Any]:
    """A fresh browser context on the live server; a screenshot in tmp_path on failure,
    a CSP violation included."""
    context = new_context(browser, live_server, csp_violations)
    opened = context.new_page()
    yield opened
    settle(opened)
    report = getattr(request.node, "report_call", None)
    if csp_violations.seen or (report is not None and report.failed):
        screenshot = tmp_path / "failure.png"
        opened.screenshot(path=str(screenshot), full_page=True)
        print(f"Screenshot of the failing page ({opened.url}): {screenshot}")
    context.close()


@pytest.fixture
def expect() -> Any:
    """Playwright's ``expect``, waiting at most ACTION_TIMEOUT_MS."""
    from playwright.sync_api import expect

    expect.set_options(timeout=ACTION_TIMEOUT_MS)
    return expect


@pytest.fixture
def artifacts_dir(tmp_path: Path) -> Path:
    """Screenshots' directory: ``$PRODREADY_TEST_ARTIFACTS/screenshots/`` (CI), else tmp_path."""
    configured = os.environ.get("PRODREADY_TEST_ARTIFACTS")
    directory = Path(configured) / "screenshots" if configured else tmp_path / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    """Rate-limit counts and lockouts live in the cache: none carry over between tests."""
    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def _audit_sealer_stopped() -> Iterator[None]:
    """The live server's audited saves wake this process's audit sealer thread: its last
    run and its connection end with the test, not while the database is dropped."""
    yield
    from prodready_security.audit import sealer_thread

    sealer_thread.stop()


def totp_now(manual_key: str) -> str:
    """The current code of the authenticator a user added with the setup page's key."""
    from django_otp.oath import TOTP

    key = re.sub(r"\s", "", manual_key).upper()
    secret = base64.b32decode(key + "=" * (-len(key) % 8))
    return f"{TOTP(secret, step=30, t0=0, digits=6).token():06d}"


def log_in(page: Any, username: str, password: str = PASSWORD, next_url: str = "") -> Any:
    """Fill in the site's login form and submit it; the answer to the POST."""
    page.goto(f"/accounts/login/?next={next_url}" if next_url else "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.get_by_role("button", name="Log in").click()
    return answer.value


def set_up_2fa(page: Any) -> list[str]:
    """On the 2FA setup page: add the shown key to an "authenticator", enter its code.

    Returns the backup codes the next page shows.
    """
    manual_key = page.get_by_label("Setup key").inner_text()
    page.get_by_label("Code from your authenticator app").fill(totp_now(manual_key))
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    codes = page.get_by_role("list", name="Backup codes").get_by_role("listitem")
    codes.first.wait_for()
    return [code.strip() for code in codes.all_inner_texts()]


@pytest.fixture
def second_browser(browser: Any, live_server: Any, csp_violations: CSPViolations) -> Any:
    """``with second_browser() as other:`` a page in another browser context (its own
    cookies: another session), closed after; its CSP violations fail the test too."""

    @contextmanager
    def open_page() -> Iterator[Any]:
        context = new_context(browser, live_server, csp_violations)
        try:
            opened = context.new_page()
            yield opened
            settle(opened)
        finally:
            context.close()

    return open_page


def make_student(user_model: Any, username: str, password: str = PASSWORD) -> Any:
    """A user with a student profile (and the level it needs): no staff rights, no 2FA."""
    import datetime

    from school.models import Level, Student

    user = user_model.objects.create_user(username, password=password)
    level, _created = Level.objects.get_or_create(name="Year 7", defaults={"order": 7})
    Student.objects.create(
        user=user,
        first_name=username.capitalize(),
        last_name="Student",
        level=level,
        joined_on=datetime.date(2024, 9, 1),
    )
    return user
