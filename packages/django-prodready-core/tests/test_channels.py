import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import django
import pytest
from django.core import checks
from django.test import override_settings

import prodready
from prodready import channel_checks
from prodready._ci import admins
from prodready.channels import deliver
from prodready.events import Notification

ADMINS = admins("ops@example.com")
SECRET_PATH = "/services/T000/B000/s3cr3t-token"
SMTP = "django.core.mail.backends.smtp.EmailBackend"


def smtp_settings(port: int) -> dict[str, Any]:
    """A real SMTP backend aimed at 127.0.0.1:port, in the settings of this Django."""
    if django.VERSION >= (6, 1):  # EMAIL_* settings are deprecated for MAILERS
        options = {"host": "127.0.0.1", "port": port, "timeout": 2}
        return {"MAILERS": {"default": {"BACKEND": SMTP, "OPTIONS": options}}}
    return {
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": port,
        "EMAIL_TIMEOUT": 2,
    }


@pytest.fixture(autouse=True)
def channel_logs(caplog: pytest.LogCaptureFixture) -> None:
    # Explicit, so a test elsewhere that raises the root logger's level cannot hide them.
    caplog.set_level(logging.INFO, logger="prodready.channels")


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    payload: Any


@dataclass
class WebhookServer:
    """A real HTTP server on 127.0.0.1 that records what it is sent."""

    url: str
    received: list[Received] = field(default_factory=list)
    status: int = 200
    body: bytes = b"ok"
    answer: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def webhook() -> Iterator[WebhookServer]:
    state = WebhookServer(url="")
    state.answer.set()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            payload = json.loads(self.rfile.read(length))
            state.received.append(Received(self.path, dict(self.headers), payload))
            state.answer.wait(timeout=10)  # cleared by a test that needs a hung server
            self.send_response(state.status)
            self.send_header("Content-Length", str(len(state.body)))
            self.end_headers()
            self.wfile.write(state.body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # the client of a hung request has gone away; that is the point

    server = Server(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}{SECRET_PATH}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.answer.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def webhook_settings(url: str, **extra: Any) -> override_settings:
    return override_settings(
        PRODREADY_NOTIFY_CHANNELS=["webhook"], PRODREADY_NOTIFY_WEBHOOK_URL=url, **extra
    )


def channel_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "prodready.channels" and r.levelno >= logging.WARNING
    ]


def test_webhook_receives_slack_compatible_json(webhook):
    with webhook_settings(webhook.url):
        prodready.notify("Backup failed", "The disk is full.", level="error", target="db")
    (received,) = webhook.received
    assert received.path == SECRET_PATH
    assert received.headers["Content-Type"] == "application/json"
    assert received.headers["User-Agent"] == f"django-prodready/{prodready.__version__}"
    assert received.payload == {
        "text": "[ERROR] Backup failed\nThe disk is full.",
        "attachments": [
            {
                "fallback": "[ERROR] Backup failed",
                "color": "#d00000",
                "title": "Backup failed",
                "text": "The disk is full.",
                "fields": [{"title": "target", "value": "db", "short": True}],
                "footer": "prodready · level error",
            }
        ],
    }


def test_webhook_error_status_is_logged_not_raised(webhook, caplog):
    webhook.status, webhook.body = 500, b"internal trouble"
    with webhook_settings(webhook.url):
        prodready.notify("Backup failed", "The disk is full.", level="error")
    assert len(webhook.received) == 1
    (warning,) = channel_warnings(caplog)
    assert warning == (
        "Notification 'Backup failed' not delivered through the webhook channel: "
        "127.0.0.1 answered HTTP 500: 'internal trouble'"
    )
    assert "s3cr3t" not in caplog.text  # the URL's token never reaches the logs


def test_webhook_that_never_answers_times_out_and_is_logged(webhook, caplog):
    webhook.answer.clear()
    started = time.monotonic()
    with webhook_settings(webhook.url, PRODREADY_NOTIFY_WEBHOOK_TIMEOUT=0.3):
        prodready.notify("Backup failed", "The disk is full.", level="error")
    assert time.monotonic() - started < 2
    (warning,) = channel_warnings(caplog)
    assert warning.endswith("webhook channel: 127.0.0.1 did not answer within 0.3 s")


def test_unreachable_webhook_is_logged(caplog):
    with socket.socket() as sock:  # a port that was free a moment ago refuses connections
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with webhook_settings(f"http://127.0.0.1:{port}/hook"):
        deliver(Notification("Backup failed", "The disk is full.", level="error"))
    (warning,) = channel_warnings(caplog)
    assert warning.startswith(
        "Notification 'Backup failed' not delivered through the webhook channel: "
        "cannot reach 127.0.0.1: "
    )


def test_email_goes_to_admins(mailoutbox):
    with override_settings(ADMINS=ADMINS, PRODREADY_NOTIFY_CHANNELS=["email"]):
        prodready.notify("Backup failed", "The disk is full.", level="critical", target="db")
    (email,) = mailoutbox
    assert email.to == ["ops@example.com"]
    assert email.subject == "[Django] [CRITICAL] Backup failed"
    assert email.body == ("The disk is full.\n\ntarget: db\n\nLevel: critical\nSource: prodready")


def test_email_without_admins_is_not_a_warning_at_every_notification(mailoutbox, caplog):
    # A new project has no ADMINS: `check --deploy` says so once (prodready.W010);
    # a warning here would reach stderr through logging's last-resort handler.
    with override_settings(ADMINS=[], PRODREADY_NOTIFY_CHANNELS=["email"]):
        prodready.notify("Backup failed", "The disk is full.")
    assert mailoutbox == []
    assert channel_warnings(caplog) == []
    (record,) = [r for r in caplog.records if r.name == "prodready.channels"]
    assert record.levelno == logging.INFO
    assert record.getMessage() == "Notification 'Backup failed' not emailed: ADMINS is empty."


@pytest.mark.parametrize(
    ("channels", "has_admins", "warned"),
    [
        (["email"], False, True),
        (["email"], True, False),
        (["email", "webhook"], False, False),  # the webhook reaches someone (or is E010)
        ([], False, False),  # notifications turned off on purpose
    ],
)
def test_notifications_that_reach_nobody_are_a_deploy_warning(channels, has_admins, warned):
    with override_settings(
        ADMINS=ADMINS if has_admins else [],
        PRODREADY_NOTIFY_CHANNELS=channels,
        PRODREADY_NOTIFY_WEBHOOK_URL="https://hooks.example.com/services/x",
    ):
        deploy = checks.run_checks(include_deployment_checks=True)
        everyday = [m.id for m in checks.run_checks()]
    found = [m for m in deploy if m.id == "prodready.W010"]
    assert len(found) == warned
    assert "prodready.W010" not in everyday  # not on every runserver and migrate
    if found:
        assert found[0].level == checks.WARNING
        assert "ADMINS is empty" in found[0].msg
        assert "Set ADMINS" in found[0].hint


def test_a_failing_mail_server_is_logged_not_raised(caplog):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with override_settings(
        ADMINS=ADMINS, PRODREADY_NOTIFY_CHANNELS=["email"], **smtp_settings(port)
    ):
        prodready.notify("Backup failed", "The disk is full.")
    (record,) = [r for r in caplog.records if r.name == "prodready.channels"]
    assert record.getMessage() == (
        "Notification 'Backup failed' not delivered through the email channel"
    )
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], ConnectionRefusedError)


def test_one_failing_channel_does_not_stop_the_next(webhook, mailoutbox, caplog):
    webhook.status = 503
    with (
        webhook_settings(webhook.url, ADMINS=ADMINS),
        override_settings(PRODREADY_NOTIFY_CHANNELS=["webhook", "email"]),
    ):
        prodready.notify("Backup failed", "The disk is full.")
    assert len(webhook.received) == 1
    assert len(mailoutbox) == 1
    assert len(channel_warnings(caplog)) == 1


@pytest.mark.parametrize(
    ("min_level", "level", "delivered"),
    [
        ("warning", "info", False),
        ("warning", "warning", True),
        ("warning", "critical", True),
        ("error", "warning", False),
        ("error", "error", True),
        ("info", "info", True),
        ("critical", "error", False),
        ("loud", "info", True),  # a bad setting (prodready.E002) must not lose alerts
    ],
)
def test_only_levels_at_or_above_the_minimum_are_delivered(
    mailoutbox, min_level: str, level: str, delivered: bool
):
    with override_settings(
        ADMINS=ADMINS, PRODREADY_NOTIFY_CHANNELS=["email"], PRODREADY_NOTIFY_MIN_LEVEL=min_level
    ):
        deliver(Notification("Subject", "Message", level=level))  # type: ignore[arg-type]
    assert len(mailoutbox) == (1 if delivered else 0)


def test_unknown_channel_is_logged_and_the_others_still_deliver(mailoutbox, caplog):
    with override_settings(ADMINS=ADMINS, PRODREADY_NOTIFY_CHANNELS=["pager", "email"]):
        deliver(Notification("Subject", "Message"))
    assert len(mailoutbox) == 1
    assert channel_warnings(caplog) == [
        "PRODREADY_NOTIFY_CHANNELS must be a list of one of 'email', 'webhook'; found list "
        "['pager', 'email']. Set PRODREADY_NOTIFY_CHANNELS to a list of one of 'email', "
        "'webhook' (manage.py check reports it as prodready.E002).",
        "Notification 'Subject' not delivered through unknown channel 'pager'; "
        "PRODREADY_NOTIFY_CHANNELS accepts email, webhook.",
    ]


@pytest.mark.parametrize(
    ("channels", "url", "expected"),
    [
        (["email"], None, []),
        (["webhook"], "https://hooks.example.com/services/x", []),
        (["webhook"], "http://127.0.0.1:8080/hook", []),
        (["webhook"], None, ["is not set"]),
        (["webhook"], "", ["is not set"]),
        (["email", "webhook"], "hooks.example.com/services/x", ["found no scheme"]),
        (["webhook"], "ftp://hooks.example.com/s3cr3t", ["found scheme 'ftp'"]),
        (["webhook"], "https:///s3cr3t", ["found no host"]),
    ],
)
def test_webhook_settings_check(channels, url, expected):
    with override_settings(PRODREADY_NOTIFY_CHANNELS=channels, PRODREADY_NOTIFY_WEBHOOK_URL=url):
        errors = channel_checks.check_notify_webhook()
    assert [e.id for e in errors] == ["prodready.E010"] * len(expected)
    for error, fragment in zip(errors, expected, strict=True):
        assert fragment in error.msg
        assert "s3cr3t" not in error.msg  # the URL's secret is never printed
        assert "PRODREADY_NOTIFY_WEBHOOK_URL" in error.hint


@pytest.mark.parametrize(
    ("timeout", "ids"),
    [(5, []), (0.5, []), (0, ["prodready.E011"]), (-1, ["prodready.E011"]), ("5", [])],
)
def test_webhook_timeout_check(timeout, ids):
    with override_settings(PRODREADY_NOTIFY_WEBHOOK_TIMEOUT=timeout):
        assert [e.id for e in channel_checks.check_notify_timeout()] == ids


NEW_DJANGO = django.VERSION >= (6, 0)


@pytest.mark.parametrize(
    ("admins", "channels", "wrong"),
    [
        ([("Ops", "ops@example.com")], ["email"], False),  # pairs: 5.2, deprecated on 6
        (["ops@example.com"], ["email"], not NEW_DJANGO),  # plain addresses from 6.0 on
        ([("ops@example.com",)], ["email"], True),
        ([42], ["email"], True),
        ([], ["email"], False),  # nobody at all is prodready.W010's to say
        (["ops@example.com"], ["webhook"], False),  # no email, no mail_admins
    ],
)
def test_admins_in_a_form_mail_admins_refuses_is_an_error(admins, channels, wrong):
    with override_settings(
        ADMINS=admins,
        PRODREADY_NOTIFY_CHANNELS=channels,
        PRODREADY_NOTIFY_WEBHOOK_URL="https://hooks.example.com/services/x",
    ):
        errors = channel_checks.check_admins_form()
        ids = {m.id for m in checks.run_checks()}
    assert [e.id for e in errors] == ["prodready.E014"] * wrong
    assert ("prodready.E014" in ids) == wrong
    if wrong:
        assert f"found {admins[0]!r}" in errors[0].msg
        assert "Write ADMINS as a list such as" in errors[0].hint


def test_mistyped_channel_settings_are_e002_alone():
    with override_settings(
        PRODREADY_NOTIFY_CHANNELS=["webhook"],
        PRODREADY_NOTIFY_WEBHOOK_URL=42,
        PRODREADY_NOTIFY_WEBHOOK_TIMEOUT="5",
    ):
        messages = [m for m in checks.run_checks() if m.id.startswith("prodready.")]
    assert [m.id for m in messages] == ["prodready.E002", "prodready.E002"]
    assert "found int." in messages[0].msg + messages[1].msg  # a URL's value is never shown


def test_channel_checks_are_registered():
    with override_settings(
        PRODREADY_NOTIFY_CHANNELS=["webhook"],
        PRODREADY_NOTIFY_WEBHOOK_URL=None,
        PRODREADY_NOTIFY_WEBHOOK_TIMEOUT=0,
    ):
        ids = {m.id for m in checks.run_checks()}
    assert {"prodready.E010", "prodready.E011"} <= ids


def test_a_channel_listed_twice_delivers_once(mailoutbox):
    with override_settings(ADMINS=ADMINS, PRODREADY_NOTIFY_CHANNELS=["email", "email"]):
        deliver(Notification("Subject", "Message"))
    assert len(mailoutbox) == 1


# In a fresh process: the test session has loaded urllib.request already.
# The settings' defaults: the email channel alone, no ADMINS (django.test, which would
# load urllib.request itself, is not imported to override them).
EMAIL_ONLY = """
import sys
import django
django.setup()
import prodready
prodready.notify("Backup restored", "Done.")
print("urllib.request" in sys.modules)
"""


def test_a_site_without_a_webhook_does_not_load_urllib_request():
    # It brings http.client, email and ssl: 1.4-2.1 MiB of every process that notifies,
    # a backup restore among them.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    found = subprocess.run(
        [sys.executable, "-c", EMAIL_ONLY], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert found.strip() == "False"
