"""The compose topology run for real, as local processes on 127.0.0.1.

nginx (TLS, the production nginx.conf) in front of gunicorn (2 workers), a Celery worker
and Celery beat, all with the production settings, on a fresh PostgreSQL database (reached
through a TCP proxy the test controls) and a redis-server of the test's own: the
session's stack (tests.stack_fixture), which test_monitoring.py uses too. Through
nginx, over HTTPS, the test checks what a visitor and an administrator meet: security
headers, health endpoints, the HTTP to HTTPS redirect, a login with two-factor
enrolment, the login rate limit, and a backup started from the site that the worker
carries out and verifies. Then it takes the dependencies away mid-session: Redis frozen
(SIGSTOP: connections accepted, never answered), Redis killed, PostgreSQL refused. Every
signed-in page and the login form must answer without a 500, in bounded time, with the
login lockout intact. (The ``stack`` fixture gives them back before the next test.)

Needs PostgreSQL (``prodready.testing`` marker), redis-server and nginx; without them it
skips, or fails with ``PRODREADY_TEST_SERVICES=required``.
"""

from __future__ import annotations

import base64
import html
import http.cookiejar
import json
import re
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import django
import pytest

from tests.stack_fixture import ADMIN, ADMIN_PASSWORD, WORKERS, Stack, wait_until
from tests.stack_support import EXAMPLE, fetch

pytestmark = [pytest.mark.requires_postgres]

BACKUP_TARGETS = {"db-default", "media"}

# During outages: a response may take the health checks' deadline (the dashboard runs
# them), a Redis socket timeout and the database's connect timeout, plus a margin for a
# busy machine; never the gunicorn timeout (30 s) a hung dependency would otherwise cost.
RESPONSE_BOUND = 10.0
BREAKER_SECONDS = 5.0  # PRODREADY_BREAKER_SECONDS's default, as in production
LOCKED_OUT_FROM = "198.51.100.20"  # the address that locks the admin out


# --- a browser, of sorts -------------------------------------------------------------


@dataclass
class Page:
    status: int
    url: str
    headers: Any
    text: str

    @property
    def path(self) -> str:
        return urllib.parse.urlsplit(self.url).path


class Browser:
    """Cookies, CSRF tokens, redirects, and the throwaway certificate as the only CA."""

    def __init__(self, stack: Stack, address: str | None = None) -> None:
        """``address``: the client address nginx passes on (X-Forwarded-For), so this
        browser's rate limits and lockouts are its own."""
        self.origin = stack.origin
        self.address = address
        context = ssl.create_default_context(cafile=str(stack.site.prefix / "certs/fullchain.pem"))
        # The throwaway certificate is its own issuer, without a CA's extensions.
        context.verify_flags &= ~getattr(ssl, "VERIFY_X509_STRICT", 0)
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=context),
            urllib.request.HTTPCookieProcessor(self.cookies),
        )

    def get(self, path: str) -> Page:
        return self._open(urllib.request.Request(self.origin + path))

    def post(self, path: str, data: dict[str, str]) -> Page:
        """A form's POST, with the CSRF token and the Origin a browser would send."""
        fields = {"csrfmiddlewaretoken": self.csrf_token(), **data}
        request = urllib.request.Request(
            self.origin + path,
            data=urllib.parse.urlencode(fields).encode(),
            headers={"Origin": self.origin, "Referer": self.origin + path},
        )
        return self._open(request)

    def csrf_token(self) -> str:
        return next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")

    def _open(self, request: urllib.request.Request) -> Page:
        if self.address:
            request.add_header("X-Forwarded-For", self.address)
        try:
            response = self.opener.open(request, timeout=20)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            body = response.read().decode(errors="replace")
            return Page(response.status, response.url, response.headers, body)


def totp_now(manual_key: str) -> str:
    """The current code of an authenticator given the setup page's key."""
    from django_otp.oath import TOTP

    key = re.sub(r"\s", "", manual_key).upper()
    secret = base64.b32decode(key + "=" * (-len(key) % 8))
    return f"{TOTP(secret, step=30, t0=0, digits=6).token():06d}"


# --- the checks ----------------------------------------------------------------------


def check_security_headers(stack: Stack) -> None:
    response = fetch(stack.site, "/accounts/login/", host="127.0.0.1")
    stack.check(response.status == 200, f"/accounts/login/ answered {response.status}")
    expected = [
        "strict-transport-security",
        "x-content-type-options",
        "permissions-policy",
        "cross-origin-opener-policy",
        "referrer-policy",
        "x-frame-options",
    ]
    if django.VERSION >= (6, 0):
        expected.append("content-security-policy")
    names = [name.lower() for name, _value in response.getheaders()]
    for name in expected:
        # Django sets them, nginx adds only what is missing: never twice.
        stack.check(names.count(name) == 1, f"{name} sent {names.count(name)} times: {names}")
    assert "max-age=" in response.getheader("Strict-Transport-Security")
    assert response.getheader("X-Content-Type-Options") == "nosniff"


def check_health(stack: Stack) -> None:
    live = fetch(stack.site, "/health/live", host="127.0.0.1")
    stack.check(live.status == 200, f"/health/live answered {live.status}: {live.text}")
    assert json.loads(live.text) == {"status": "ok"}
    ready = fetch(stack.site, "/health/ready", host="127.0.0.1")
    stack.check(ready.status == 200, f"/health/ready answered {ready.status}: {ready.text}")
    assert json.loads(ready.text)["status"] in {"ok", "degraded"}, ready.text


def check_http_redirects_to_https(stack: Stack) -> None:
    response = fetch(stack.site, "/accounts/login/?next=/ops/", tls=False, host="127.0.0.1")
    assert response.status == 301
    assert response.getheader("Location") == "https://127.0.0.1/accounts/login/?next=/ops/"


def log_in_with_two_factor_enrolment(stack: Stack) -> Browser:
    browser = Browser(stack)
    login = browser.get("/accounts/login/?next=/ops/")
    stack.check(login.status == 200, f"login page answered {login.status}")
    page = browser.post(
        "/accounts/login/?next=/ops/",
        {"username": ADMIN, "password": ADMIN_PASSWORD, "next": "/ops/"},
    )
    # An administrator must enrol a second factor before reaching the dashboard.
    stack.check(
        page.status == 200 and page.path == "/account/2fa/setup/",
        f"after the login: {page.status} {page.url}\n{page.text[:2000]}",
    )
    key = re.search(r'aria-label="Setup key">([^<]+)</code>', page.text)
    stack.check(key, f"no setup key on the 2FA setup page:\n{page.text[:3000]}")
    assert key is not None
    page = browser.post(
        page.path + "?" + urllib.parse.urlsplit(page.url).query,
        {"code": totp_now(html.unescape(key.group(1))), "next": "/ops/"},
    )
    stack.check(
        page.status == 200 and "backup codes" in page.text.lower(),
        f"2FA setup refused the code: {page.status} {page.url}\n{page.text[:3000]}",
    )
    ops = browser.get("/ops/")
    stack.check(
        ops.status == 200 and ops.path == "/ops/", f"/ops/ answered {ops.status} at {ops.url}"
    )
    return browser


def check_login_rate_limit(stack: Stack) -> None:
    browser = Browser(stack)
    browser.get("/accounts/login/")
    statuses = []
    # Windows are fixed: 21 attempts within a minute overfill one of the (at most two)
    # windows they fall in, wherever the boundary lies.
    for attempt in range(21):
        # A new name each time: the lockout of a username at one address (5 failures)
        # must not answer first; the per-address rule ("login", 10/m) must.
        page = browser.post(
            "/accounts/login/", {"username": f"nobody-{attempt}", "password": "wrong"}
        )
        statuses.append(page.status)
        if page.status == 429:
            break
    stack.check(statuses[0] == 200, f"the first wrong password was answered {statuses}")
    stack.check(statuses[-1] == 429, f"no 429 after {len(statuses)} logins: {statuses}")
    retry_after = page.headers.get("Retry-After", "")
    assert retry_after.isdigit(), retry_after
    assert 0 < int(retry_after) <= 60, retry_after


def backup_records(stack: Stack) -> list[dict[str, Any]]:
    import psycopg
    from psycopg.rows import dict_row

    url = urllib.parse.urlsplit(stack.env["DATABASE_URL"])
    dsn = f"host={url.hostname} port={url.port} user={url.username} dbname={stack.database}"
    with psycopg.connect(dsn, row_factory=dict_row) as connection:
        return connection.execute(
            "SELECT backup_id, target, status, error, failed_step, verified_ok, verified_how"
            " FROM prodready_backup_backuprecord ORDER BY started_at"
        ).fetchall()


def check_backup_from_the_site(stack: Stack, admin: Browser) -> None:
    # Only the backups this click starts count: the shared stack may hold others'
    # (test_monitoring makes one with manage.py).
    earlier = {r["backup_id"] for r in backup_records(stack)}
    page = admin.post("/backups/run/", {"next": "/ops/"})
    stack.check(page.status == 200 and page.path == "/ops/", f"{page.status} {page.url}")

    def verified_backups() -> list[dict[str, Any]] | None:
        records = backup_records(stack)
        failed = [r for r in records if r["status"] == "failed"]
        if failed:
            stack.fail(f"a backup failed: {failed}")
        records = [r for r in records if r["backup_id"] not in earlier]
        done = [r for r in records if r["status"] == "succeeded" and r["verified_ok"]]
        return done if {r["target"] for r in done} >= BACKUP_TARGETS else None

    records = wait_until(
        stack, verified_backups, "the worker to back up and verify every target", timeout=60
    )
    for record in records:
        # Verified after it was written: read back, checksum and authentication tags.
        assert record["verified_how"] == "checksum", record
        folder = stack.backup_dir / record["target"]
        assert (folder / f"{record['backup_id']}.backup").stat().st_size > 0, record
        assert (folder / f"{record['backup_id']}.json").is_file(), record


def check_scheduler_is_seen(stack: Stack, admin: Browser) -> None:
    # Beat's heartbeat reaches the web processes through Redis: the dashboard names
    # the next scheduled backup instead of "No scheduler running".
    def card_with_schedule() -> Page | None:
        page = admin.get("/ops/")
        return page if "Next scheduled backup" in page.text else None

    page = wait_until(stack, card_with_schedule, "the dashboard to see beat's heartbeat", 30)
    assert "No scheduler running" not in page.text


# --- outages ------------------------------------------------------------------------


@dataclass
class Visit:
    path: str
    page: Page
    seconds: float

    @property
    def outcome(self) -> tuple[int, str]:
        return self.page.status, self.page.path


def signed_in_pages() -> list[str]:
    """Every page of the site's URLconf that takes no argument, but logging out."""
    from django.urls import URLResolver, get_resolver
    from django.urls.resolvers import RoutePattern

    def walk(patterns: list[Any], prefix: str) -> Iterator[str]:
        for pattern in patterns:
            route = str(pattern.pattern)
            if not isinstance(pattern.pattern, RoutePattern) or "<" in route:
                continue
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + route)
            else:
                yield prefix + route

    paths = sorted(set(walk(get_resolver("school_site.urls").url_patterns, "/")))
    return [path for path in paths if "logout" not in path]


def visit_all(browser: Browser, paths: list[str]) -> list[Visit]:
    visits = []
    for path in paths:
        started = time.monotonic()
        page = browser.get(path)
        visits.append(Visit(path, page, time.monotonic() - started))
    return visits


def check_bounded(stack: Stack, visits: list[Visit], phase: str) -> None:
    slow = [(v.path, round(v.seconds, 1)) for v in visits if v.seconds > RESPONSE_BOUND]
    stack.check(not slow, f"{phase}: slower than {RESPONSE_BOUND} s: {slow}")
    errors = [(v.path, v.page.status) for v in visits if v.page.status >= 500]
    if phase.startswith("PostgreSQL"):
        errors = [(path, status) for path, status in errors if status != 503]
    stack.check(not errors, f"{phase}: server errors {errors}")


def breaker_openings(stack: Stack) -> list[str]:
    """The site's log lines of Redis's circuit breaker opening, so far."""
    lines = (stack.logs / "gunicorn.log").read_text(errors="replace").splitlines()
    return [line for line in lines if "prodready.breaker" in line and " failed (" in line]


def check_pages_keep_working(
    stack: Stack, admin: Browser, baseline: list[Visit], phase: str, *, breaker_was_open: bool
) -> None:
    opened_before = len(breaker_openings(stack))
    visits = visit_all(admin, [visit.path for visit in baseline])
    check_bounded(stack, visits, phase)
    # Each worker's breaker opened at most once for the whole walk (the one timeout or
    # refusal that opened it); after that its calls failed at once, with a try per
    # interval that does not log again.
    openings = breaker_openings(stack)[opened_before:]
    expected = range(0 if breaker_was_open else 1, WORKERS + 1)
    stack.check(len(openings) in expected, f"{phase}: breaker openings {openings}")
    changed = [
        (before.path, before.outcome, after.outcome)
        for before, after in zip(baseline, visits, strict=True)
        if after.outcome != before.outcome
    ]
    stack.check(not changed, f"{phase}: pages answered differently (before, during): {changed}")


def check_probes(stack: Stack, phase: str, ready: int, failing: str) -> None:
    """Live stays 200 (nothing restarts); ready says whether to send traffic here."""
    live = fetch(stack.site, "/health/live", host="127.0.0.1")
    stack.check(live.status == 200, f"{phase}: /health/live answered {live.status}")

    def probed() -> bool:
        probe = fetch(stack.site, "/health/ready", host="127.0.0.1")
        stack.check(probe.status in (200, 503), f"{phase}: /health/ready {probe.status}")
        return probe.status == ready and failing in json.loads(probe.text).get("failing", [])

    # Each worker reuses its health results for PRODREADY_HEALTH_CACHE_SECONDS (3 s).
    wait_until(
        stack, probed, f"{phase}: /health/ready {ready} with {failing} failing", RESPONSE_BOUND
    )


def log_in_answers(stack: Stack, address: str) -> tuple[Page, Page, Page]:
    """The login form, then the admin's right and a wrong password, from ``address``."""
    browser = Browser(stack, address)
    form = browser.get("/accounts/login/")
    right = browser.post("/accounts/login/", {"username": ADMIN, "password": ADMIN_PASSWORD})
    wrong = browser.post("/accounts/login/", {"username": ADMIN, "password": "wrong"})
    return form, right, wrong


def check_logins_refused_alike(stack: Stack, address: str, phase: str, marker: str) -> None:
    """The form still shows; right and wrong passwords get one and the same 503."""
    form, right, wrong = log_in_answers(stack, address)
    stack.check(form.status == 200, f"{phase}: the login form answered {form.status}")
    for page in (right, wrong):
        stack.check(
            page.status == 503 and marker in page.text,
            f"{phase}: a login answered {page.status} at {page.url}:\n{page.text[:1500]}",
        )
        stack.check(page.headers.get("Retry-After", "").isdigit(), f"{phase}: no Retry-After")
    stack.check(right.text == wrong.text, f"{phase}: right and wrong passwords told apart")


def lock_out_the_admin(stack: Stack) -> Browser:
    browser = Browser(stack, LOCKED_OUT_FROM)
    browser.get("/accounts/login/")
    statuses = [
        browser.post("/accounts/login/", {"username": ADMIN, "password": "wrong"}).status
        for _ in range(5)
    ]
    stack.check(statuses == [200] * 5, f"five wrong passwords answered {statuses}")
    check_locked_out(stack, browser, "before the outage")
    return browser


def check_locked_out(stack: Stack, browser: Browser, phase: str) -> None:
    page = browser.post("/accounts/login/", {"username": ADMIN, "password": ADMIN_PASSWORD})
    stack.check(
        page.status == 429 and "Too many failed logins" in page.text,
        f"{phase}: the locked-out admin's right password answered {page.status}",
    )


def check_outages(stack: Stack, admin: Browser) -> None:
    """PostgreSQL refused, then Redis frozen and back, then Redis killed, mid-session."""
    pages = signed_in_pages()
    stack.check(len(pages) > 40, f"only {len(pages)} pages found in the URLconf")
    baseline = visit_all(admin, pages)
    check_bounded(stack, baseline, "Redis and PostgreSQL up")

    # PostgreSQL refuses connections, and the kept ones are cut.
    stack.postgres.refuse()
    try:
        visits = visit_all(admin, pages)
        check_bounded(stack, visits, "PostgreSQL refused")
        database_marker = "cannot reach its database"
        unavailable = [v for v in visits if v.page.status == 503]
        stack.check(unavailable, "PostgreSQL refused: no page noticed")
        for visit in unavailable:
            stack.check(
                database_marker in visit.page.text
                and visit.page.headers.get("Retry-After") == "10",
                f"PostgreSQL refused: {visit.path} answered 503 without the page:\n"
                f"{visit.page.text[:1500]}",
            )
        check_logins_refused_alike(stack, "198.51.100.50", "PostgreSQL refused", database_marker)
        check_probes(stack, "PostgreSQL refused", 503, "database:default")
    finally:
        stack.postgres.restore()
    wait_until(
        stack,
        lambda: admin.get("/ops/").status == 200,
        "the dashboard once PostgreSQL is back",
        timeout=RESPONSE_BOUND,
    )

    # Redis hangs: connections are accepted and never answered. The logins first, so the
    # lock (a minute) is checked again well before it ends.
    locked_out = lock_out_the_admin(stack)
    lockout_marker = "Briefly unavailable"
    stack.redis.freeze()
    try:
        check_logins_refused_alike(stack, "198.51.100.30", "Redis frozen", lockout_marker)
    finally:
        stack.redis.thaw()
    # A worker tries Redis again BREAKER_SECONDS after its last failure, with the next
    # call it makes. The lock outlived the outage: the right password is still refused.
    time.sleep(BREAKER_SECONDS)
    check_locked_out(stack, locked_out, "Redis back after it froze")
    stack.redis.freeze()
    check_pages_keep_working(stack, admin, baseline, "Redis frozen", breaker_was_open=False)
    # Pages work, so the instances stay in the load balancer: the cache is not critical.
    check_probes(stack, "Redis frozen", 200, "cache:default")

    # Redis dies: connections reset, then refused. (Its data, the lock, would be gone.)
    stack.redis.stop()
    check_pages_keep_working(stack, admin, baseline, "Redis stopped", breaker_was_open=True)
    check_logins_refused_alike(stack, "198.51.100.40", "Redis stopped", lockout_marker)
    check_probes(stack, "Redis stopped", 200, "cache:default")
    stack.redis.start()  # empty, as a Redis without persistence comes back


def check_application_role_cannot_rewrite_the_audit_log(stack: Stack) -> None:
    """The site's own database role, as compose runs it, cannot undo the audit trigger."""
    import psycopg

    url = urllib.parse.urlsplit(stack.env["DATABASE_URL"])
    dsn = f"host={url.hostname} port={url.port} user={url.username} dbname={stack.database}"
    table = "prodready_security_auditevent"
    with psycopg.connect(dsn, autocommit=True) as connection:
        query = f"SELECT count(*) FROM {table} WHERE hash IS NOT NULL"
        sealed = connection.execute(query).fetchone()
        stack.check(sealed and sealed[0] > 0, "no sealed audit event to try to rewrite")
        for statement in (
            f"ALTER TABLE {table} DISABLE TRIGGER ALL",
            f"UPDATE {table} SET action = 'rewritten' WHERE hash IS NOT NULL",
            f"DELETE FROM {table}",
            f"TRUNCATE {table}",
        ):
            try:
                connection.execute(statement)
            except psycopg.Error as exc:
                refused = type(exc).__name__
            else:
                refused = ""
            stack.check(refused, f"the application's role could run: {statement}")
    readiness = subprocess.run(
        [sys.executable, "manage.py", "prodready", "check", "--format", "json"],
        cwd=EXAMPLE,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    findings = {
        finding["id"]: finding
        for category in json.loads(readiness.stdout)["categories"].values()
        for finding in category["findings"]
    }
    role = findings["prodready_security.R040"]
    stack.check(role["passed"], f"the role finding failed as the application: {role}")


def test_production_stack(stack: Stack) -> None:
    check_security_headers(stack)
    check_health(stack)
    check_http_redirects_to_https(stack)
    admin = log_in_with_two_factor_enrolment(stack)
    check_scheduler_is_seen(stack, admin)
    check_backup_from_the_site(stack, admin)
    check_application_role_cannot_rewrite_the_audit_log(stack)
    check_login_rate_limit(stack)
    check_outages(stack, admin)
    stack.check_running()
