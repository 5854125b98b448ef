"""Class test: no secret a request or a task carries is in any byte the logs write.

Secrets are planted in every part of a request (query string, URL path argument,
``Authorization`` and ``Cookie`` headers, a header of its own, form body, JSON body, and
the exception text made from them) sent to a view that logs all it received, as careless
code does, and to views that make Django's request and security loggers write (404, 500,
a disallowed host, a refused CSRF check), with the request middleware's access line on.
Hypothesis makes the secrets and the key names they are sent under (snake, camel, kebab,
upper case). The logging is ``configure_logging()``'s, to a file and to stdout, in both
formats; what is searched is the bytes those handlers wrote, never the records, and what
the real sentry-sdk would send (a capturing transport). A real Celery worker does the same
for a task's logger and the worker's own task and failure lines. gunicorn's access and
error logs are covered by test_gunicorn. The controls show each secret is written when
nothing scrubs it.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import logging.config
import string
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis
from celery import Celery, signals
from celery.app.log import Logging
from celery.utils.log import get_task_logger
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prodready_observability import tasks
from prodready_observability.logging import configure_logging
from prodready_observability.scrub import FILTERED
from tests.conftest import restored_logging
from tests.sentry_capture import captured_sentry
from tests.site import SETTINGS
from tests.test_sentry_celery_worker import DATABASE, redis_url

# Words and pairs of words that name a secret, and harmless words put before them.
SECRET_WORDS = [
    ("password",),
    ("passwd",),
    ("secret",),
    ("token",),
    ("api", "key"),
    ("access", "token"),
    ("client", "secret"),
    ("private", "key"),
    ("session", "id"),
    ("auth",),
    ("signature",),
    ("csrftoken",),
]
PREFIXES = [(), ("user",), ("new",), ("db",), ("stripe",), ("x",)]
STYLES = ["snake", "camel", "kebab", "upper"]


def spell(prefix: tuple[str, ...], words: tuple[str, ...], style: str) -> str:
    parts = [*prefix, *words]
    if style == "camel":
        return parts[0] + "".join(part.title() for part in parts[1:])
    if style == "kebab":
        return "-".join(parts)
    joined = "_".join(parts)
    return joined.upper() if style == "upper" else joined


secret_keys = st.builds(
    spell, st.sampled_from(PREFIXES), st.sampled_from(SECRET_WORDS), st.sampled_from(STYLES)
)
# "Sx" makes a shrunk secret ("Sx0000000000") text no log line holds by chance.
secret_values = st.text(string.ascii_letters + string.digits, min_size=10, max_size=24).map(
    "Sx{}".format
)


@dataclass(frozen=True)
class Planted:
    """One request's secrets, each in its own place, and the key names they go under."""

    query_key: str
    query: str
    path: str
    bearer: str
    cookie_key: str
    cookie: str
    header_key: str
    header: str
    form_key: str
    form: str
    json_key: str
    document: str

    def secrets(self) -> dict[str, str]:
        return {
            "query string": self.query,
            "URL path argument": self.path,
            "Authorization header": self.bearer,
            "Cookie header": self.cookie,
            "header": self.header,
            "form body": self.form,
            "JSON body": self.document,
        }


planted_secrets = st.builds(
    Planted,
    query_key=secret_keys,
    query=secret_values,
    path=secret_values,
    bearer=secret_values,
    cookie_key=secret_keys,
    cookie=secret_values,
    header_key=st.builds(
        spell, st.sampled_from(PREFIXES), st.sampled_from(SECRET_WORDS), st.just("kebab")
    ),
    header=secret_values,
    form_key=secret_keys,
    form=secret_values,
    json_key=secret_keys,
    document=secret_values,
).filter(lambda planted: len(set(planted.secrets().values())) == len(planted.secrets()))

LOGGERS = {
    "tests.site",  # the careless view
    "django.request",  # 404 and 500
    "django.security.DisallowedHost",
    "django.security.csrf",
    "prodready.requests",  # the middleware's access line
}
CSRF_SETTINGS = {
    **SETTINGS,
    "MIDDLEWARE": [*SETTINGS["MIDDLEWARE"], "django.middleware.csrf.CsrfViewMiddleware"],
}


def send_requests(planted: Planted) -> None:
    """Every request a client can make to put the planted secrets in front of the logs."""
    client = Client(raise_request_exception=False)
    client.cookies[planted.cookie_key] = planted.cookie
    query = f"{planted.query_key}={planted.query}&page=2"
    headers = {
        "Authorization": f"Bearer {planted.bearer}",
        f"X-{planted.header_key}": planted.header,
        "X-Request-ID": "class-test-1",
    }
    careless = f"/careless/{planted.path}/?{query}"
    with override_settings(**SETTINGS):
        assert client.get(careless, headers=headers).status_code == 500
        form = {planted.form_key: planted.form, "order": "ORD-7"}
        assert client.post(careless, form, headers=headers).status_code == 500
        document = json.dumps({planted.json_key: planted.document, "order": "ORD-7"})
        response = client.post(careless, document, "application/json", headers=headers)
        assert response.status_code == 500
        assert client.get(f"/files/{planted.path}/?{query}", headers=headers).status_code == 404
        bad_host = {**headers, "Host": "evil.example.com"}
        assert client.get(careless, headers=bad_host).status_code == 400
    with override_settings(**CSRF_SETTINGS):
        csrf_client = Client(enforce_csrf_checks=True, raise_request_exception=False)
        response = csrf_client.post(f"/lessons/1/?{query}", form, headers=headers)
        assert response.status_code == 403


@dataclass
class Written:
    """What the handlers wrote (the log file and stdout) and what Sentry would send."""

    file: bytes
    stdout: bytes
    sentry: bytes

    def logs(self) -> bytes:
        return self.file + self.stdout


@contextlib.contextmanager
def logging_to(path: Path, **options: Any) -> Iterator[io.StringIO]:
    """``configure_logging()`` applied, writing to ``path`` and to a captured stdout."""
    stdout = io.StringIO()
    with restored_logging(), contextlib.redirect_stdout(stdout):
        logging.config.dictConfig(configure_logging(file=str(path), **options))
        yield stdout
        for handler in logging.getLogger().handlers:
            handler.flush()


def write_logs(planted: Planted, as_json: bool = True, **sentry: Any) -> Written:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "app.log"
        with logging_to(path, json=as_json) as stdout, captured_sentry(**sentry) as transport:
            send_requests(planted)
            sent = transport.serialised()
        return Written(path.read_bytes(), stdout.getvalue().encode(), sent)


@pytest.mark.django_db
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(planted=planted_secrets, as_json=st.booleans())
def test_no_planted_secret_is_written(planted: Planted, as_json: bool) -> None:
    written = write_logs(planted, as_json)
    for place, secret in planted.secrets().items():
        assert secret.encode() not in written.logs(), f"a secret from the {place} was logged"
        assert secret.encode() not in written.sentry, f"a secret from the {place} reached Sentry"
    # The lines are all there, masked rather than dropped.
    text = written.file.decode()
    assert FILTERED in text
    assert written.stdout == written.file
    if as_json:
        lines = [json.loads(line) for line in text.splitlines()]
        assert {line["name"] for line in lines} >= LOGGERS
        django = [line for line in lines if line["name"].startswith("django.")]
        assert {line["request_id"] for line in django} == {"class-test-1"}
        assert "RuntimeError: could not serve /careless/" in text
    else:
        assert "[class-test-1] Not Found: /files/" in text


CONTROL = Planted(
    query_key="api_key",
    query="Sxcontrolquery1",
    path="Sxcontrolpath2",
    bearer="Sxcontrolbearer3",
    cookie_key="sessionid",
    cookie="Sxcontrolcookie4",
    header_key="api-key",
    header="Sxcontrolheader5",
    form_key="password",
    form="Sxcontrolform6",
    json_key="client_secret",
    document="Sxcontroldocument7",
)


@pytest.mark.django_db
def test_control_every_secret_is_written_when_nothing_scrubs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from prodready_observability import logging as prodready_logging

    monkeypatch.setattr(prodready_logging, "scrub_written", lambda written, record: written)
    monkeypatch.setattr(prodready_logging, "_scrub_lines", lambda formatted: formatted)
    written = write_logs(CONTROL)
    for place, secret in CONTROL.secrets().items():
        assert secret.encode() in written.logs(), place


# --- a real Celery worker ----------------------------------------------------------

TASK_SECRETS = {
    "URL in a task argument": "Sxtaskurl8",
    "pair in a task argument": "Sxtaskpair9",
    "task keyword argument": "Sxtaskkwarg10",
    "extra of the task's log line": "Sxtaskextra11",
}
QUEUE = "prodready-observability-class-test"


def charge(gateway: str, note: str, api_key: str) -> None:
    get_task_logger("shop.tasks").warning(
        "charging through %s",
        gateway,
        extra={"card_token": TASK_SECRETS["extra of the task's log line"]},
    )
    raise RuntimeError(f"declined: {note}, api_key={api_key}")


@pytest.fixture
def worker_app() -> Iterator[Celery]:
    app = Celery("prodready_observability_class_test", set_as_current=False)
    app.conf.update(
        broker_url=redis_url(),
        broker_connection_retry_on_startup=False,
        task_default_queue=QUEUE,
    )
    app.task(name="shop.charge_card")(charge)
    yield app
    with redis.Redis.from_url(redis_url()) as client:
        client.delete(QUEUE)


def fresh_worker_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Celery's logging as a new worker process finds it: not set up yet (an earlier
    worker in this process gave the task loggers handlers of their own)."""
    monkeypatch.setattr(Logging, "_setup", False)
    task_logger = logging.getLogger("celery.task")
    task_logger.handlers, task_logger.propagate = [], True
    task_logger.setLevel(logging.NOTSET)


@pytest.mark.requires_redis
def test_a_workers_task_and_failure_lines_write_no_secret(
    worker_app: Celery, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert DATABASE  # the Redis database the Sentry worker test uses, emptied by it
    path = tmp_path / "worker.log"
    finished = threading.Event()

    def task_finished(**kwargs: object) -> None:
        finished.set()

    config = configure_logging(file=str(path))
    signals.task_postrun.connect(task_finished, weak=False)
    try:
        # LOGGING is overridden inside logging_to(), which puts every logger back as it
        # was: Django applies an overridden LOGGING at once, and a handler made then
        # would outlive the test, closed, for a late thread's line to reopen its file.
        with (
            logging_to(path) as stdout,
            override_settings(LOGGING=config),
            captured_sentry() as transport,
        ):
            tasks.connect_celery_signals()  # as at start-up, with this LOGGING
            fresh_worker_process(monkeypatch)
            from celery.contrib.testing.worker import start_worker

            with start_worker(worker_app, perform_ping_check=False, loglevel="INFO"):
                worker_app.send_task(
                    "shop.charge_card",
                    args=(
                        f"https://shop:{TASK_SECRETS['URL in a task argument']}@pay.example.com",
                        f"password={TASK_SECRETS['pair in a task argument']}",
                    ),
                    kwargs={"api_key": TASK_SECRETS["task keyword argument"]},
                )
                assert finished.wait(15), "the task did not finish"
            sent = transport.serialised()
    finally:
        signals.task_postrun.disconnect(task_finished)
        signals.setup_logging.disconnect(dispatch_uid="prodready_observability")

    written = path.read_bytes() + stdout.getvalue().encode()
    for place, secret in TASK_SECRETS.items():
        assert secret.encode() not in written, f"a secret from the {place} was logged"
        assert secret.encode() not in sent, f"a secret from the {place} reached Sentry"
    names = {json.loads(line)["name"] for line in path.read_text().splitlines()}
    assert {"shop.tasks", "celery.app.trace", "prodready.tasks"} <= names
    assert len(transport.events()) == 1
