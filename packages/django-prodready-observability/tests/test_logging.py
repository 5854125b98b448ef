"""configure_logging(): JSON lines with the request's id, secrets masked as in Sentry."""

from __future__ import annotations

import json
import logging
import logging.config
from datetime import date
from decimal import Decimal
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings

from prodready_observability.logging import configure_logging
from prodready_observability.scrub import FILTERED, scrub_text
from tests.site import SETTINGS

SECRET = "hunter2-Zq9"
DSN_LIKE = f"postgresql://app:{SECRET}@db.internal/app"


def lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]


def test_json_lines_with_standard_fields(
    configured: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    configured()
    logging.getLogger("shop").info("order %s paid", "ORD-1", extra={"amount": 12})
    [line] = lines(capsys)
    assert line["message"] == "order ORD-1 paid"
    assert (line["levelname"], line["name"], line["amount"]) == ("INFO", "shop", 12)
    assert line["request_id"] is None
    assert line["user_id"] is None
    assert "asctime" in line


def test_any_extra_value_keeps_its_line(
    configured: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    configured()
    logger = logging.getLogger("shop")
    # An integer past 64 bits, which orjson refuses, and types JSON does not know.
    logger.info("big", extra={"serial": 2**70})
    logger.info("typed", extra={"price": Decimal("9.99"), "when": date(2026, 1, 2)})
    big, typed = lines(capsys)
    assert big["serial"] == 2**70
    assert (typed["price"], typed["when"]) == ("9.99", "2026-01-02")


def test_levels_from_arguments(configured: Any, capsys: pytest.CaptureFixture[str]) -> None:
    configured(level="warning", loggers={"chatty": "DEBUG"})
    logging.getLogger("shop").info("hidden")
    logging.getLogger("chatty").debug("shown")
    assert [line["message"] for line in lines(capsys)] == ["shown"]


def test_secrets_in_arguments_extra_and_tracebacks_are_masked(
    configured: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    configured()
    logger = logging.getLogger("shop")
    logger.warning("connecting to %s", DSN_LIKE, extra={"password": SECRET, "note": DSN_LIKE})
    try:
        raise ConnectionError(f"cannot reach {DSN_LIKE}")
    except ConnectionError:
        logger.exception("failed with api_key=%s", SECRET)
    output = capsys.readouterr().out
    assert SECRET not in output
    first, second = (json.loads(line) for line in output.splitlines())
    # Masked exactly as Sentry events are.
    assert first["message"] == "connecting to " + scrub_text(DSN_LIKE)
    assert (first["password"], first["note"]) == (FILTERED, scrub_text(DSN_LIKE))
    assert "ConnectionError" in second["exc_info"]


@override_settings(PRODREADY_SENTRY_SCRUB_PATTERNS=[r"acme_[0-9a-f]{8}"])
def test_the_projects_own_patterns_apply(
    configured: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    configured()
    logging.getLogger("shop").info("key acme_0123abcd used")
    [line] = lines(capsys)
    assert "acme_0123abcd" not in line["message"]


def test_a_bad_format_string_raises_nothing(
    configured: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    configured()
    logging.getLogger("shop").info("%s and %s", "only one")
    [line] = lines(capsys)
    assert "only one" in line["message"]


def test_every_record_of_a_request_has_its_id(
    configured: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    configured()
    with override_settings(**SETTINGS):
        response = Client().get("/lessons/9/", HTTP_X_REQUEST_ID="trace-77")
    assert response["X-Request-ID"] == "trace-77"
    found = lines(capsys)
    view, request = (
        next(line for line in found if line["name"] == name)
        for name in ("tests.site", "prodready.requests")
    )
    assert view["message"] == "showing lesson 9"
    assert view["request_id"] == request["request_id"] == "trace-77"
    assert request["route"] == "lessons/<int:pk>/"
    assert request["status"] == 200


def test_the_request_line_masks_a_secret_in_the_user_agent(
    configured: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    configured()
    with override_settings(**SETTINGS):
        Client().get("/lessons/3/", HTTP_USER_AGENT=f"sync-bot/2 {DSN_LIKE}")
    [request] = [line for line in lines(capsys) if line["name"] == "prodready.requests"]
    assert request["user_agent"] == "sync-bot/2 postgresql://[Filtered]@db.internal/app"
    assert not [key for key in request if key.startswith("_")]  # the filter's mark stays out


def test_only_a_request_id_the_middleware_made_is_written_unscrubbed(
    configured: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # A trusted proxy's id is well-formed text of its choosing: scrubbed as written.
    leaked = "ghp_" + "a1B2c3D4" * 5
    configured()
    with override_settings(**SETTINGS):
        Client().get("/lessons/3/", HTTP_X_REQUEST_ID=leaked)
        made = Client().get("/lessons/4/")["X-Request-ID"]
    sent, own = [line for line in lines(capsys) if line["name"] == "prodready.requests"]
    assert leaked not in json.dumps(sent)
    assert "[Filtered]" in sent["request_id"]
    assert own["request_id"] == made


def test_a_record_is_scrubbed_past_the_fields_its_producer_vouches_for(
    configured: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    configured()
    vouched = frozenset({"message", "order"})

    class AddsANote(logging.Filter):  # another filter, whose field nobody vouched for
        def filter(self, record: logging.LogRecord) -> bool:
            record.note = DSN_LIKE
            return True

    logger = logging.getLogger("shop")
    logger.addFilter(note := AddsANote())
    try:
        logger.info(
            "paid %s",
            SECRET,
            extra={"order": DSN_LIKE, "password": SECRET, "_prodready_scrubbed": vouched},
        )
    finally:
        logger.removeFilter(note)
    [line] = lines(capsys)
    # What the producer vouched for is written as it made it, unwalked (so a planted
    # secret shows)...
    assert (line["message"], line["order"]) == (f"paid {SECRET}", DSN_LIKE)
    # ...and everything else is scrubbed, as on any other record.
    assert line["note"] == "postgresql://[Filtered]@db.internal/app"
    assert line["password"] == FILTERED


def test_each_vouched_record_is_written_with_its_own_fields() -> None:
    # The formatter keeps the fields of a kind of vouched record; another record vouched
    # for alike but carrying one more field gets that field too, scrubbed.
    from prodready_observability.logging import FIELDS, SCRUBBED, ScrubbingJsonFormatter

    formatter = ScrubbingJsonFormatter(FIELDS)
    vouched = frozenset({"message", "route"})

    def line(**fields: Any) -> dict[str, Any]:
        # One time for every line: lines made a millisecond apart must compare equal.
        made = {"name": "shop", "msg": "paid", "route": "pay/", "created": 0.0, "msecs": 0.0}
        record = logging.makeLogRecord(made)
        record.__dict__.update({**fields, SCRUBBED: vouched})
        return json.loads(formatter.format(record))  # type: ignore[no-any-return]

    plain = line()
    assert line(note=DSN_LIKE) == {**plain, "note": scrub_text(DSN_LIKE)}
    assert line(password=SECRET)["password"] == FILTERED
    assert line() == plain


def test_a_rotating_file_as_well(
    configured: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "app.log"
    configured(file=str(path), file_max_bytes=2000, file_backups=2)
    for number in range(60):
        logging.getLogger("shop").info("line %d with token=%s", number, SECRET)
    written = sorted(tmp_path.iterdir())
    assert [p.name for p in written] == ["app.log", "app.log.1", "app.log.2"]
    text = "".join(p.read_text() for p in written)
    assert SECRET not in text
    assert json.loads(path.read_text().splitlines()[-1])["message"].startswith("line 59")


@pytest.mark.parametrize("as_json", [True, False])
def test_a_line_for_stdout_and_the_file_is_formatted_once(
    configured: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    as_json: bool,
) -> None:
    path = tmp_path / "app.log"
    configured(file=str(path), json=as_json)
    console, file = logging.getLogger().handlers
    assert console.formatter is file.formatter
    formatter = console.formatter
    assert formatter is not None
    # Count the formatting the scrubbing formatter wraps, for this formatter only.
    wrapped = type(formatter).__mro__[1]
    base = wrapped.format
    made: list[str] = []

    def counting(self: logging.Formatter, record: logging.LogRecord) -> str:
        if self is formatter:
            made.append(record.getMessage())
        return base(self, record)

    monkeypatch.setattr(wrapped, "format", counting)
    logging.getLogger("shop").info("once, token=%s", SECRET)
    logging.getLogger("shop").info("twice, token=%s", SECRET)
    assert len(made) == 2, made  # one formatting per record, not per handler
    out = capsys.readouterr().out
    assert out == path.read_text()
    assert SECRET not in out


def test_only_the_file_when_stdout_is_not_asked_for(
    configured: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "app.log"
    configured(file=str(path), stdout=False)
    assert [type(h) for h in logging.getLogger().handlers] == [RotatingFileHandler]
    logging.getLogger("shop").info("to the file")
    assert capsys.readouterr().out == ""
    assert json.loads(path.read_text())["message"] == "to the file"


def test_no_handler_at_all_is_refused_with_the_fix() -> None:
    with pytest.raises(ValueError, match=r"stdout=False\) needs file=<path>"):
        configure_logging(stdout=False)


def test_plain_text_for_a_terminal(configured: Any, capsys: pytest.CaptureFixture[str]) -> None:
    configured(json=False)
    logging.getLogger("shop").info("hello password=%s", SECRET)
    out = capsys.readouterr().out
    assert "[None] hello password=" in out
    assert SECRET not in out


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"datefmt": "%d/%m/%Y %H:%M:%S"},
        {"rename_fields": {"levelname": "level"}},
        {"static_fields": {"service": "school"}, "defaults": {"team": "ops"}},
        {"timestamp": True},
    ],
)
@pytest.mark.parametrize("vouched", [None, frozenset({"message", "amount", "route"})])
def test_the_formatter_writes_what_python_json_logger_writes(
    options: dict[str, Any], vouched: frozenset[str] | None
) -> None:
    # With fields vouched for (the request line's own path through the formatter) too.
    from pythonjsonlogger.json import JsonFormatter

    from prodready_observability.logging import FIELDS, SCRUBBED, ScrubbingJsonFormatter

    record = logging.makeLogRecord(
        {"name": "shop", "levelno": 20, "levelname": "INFO", "msg": "order %s", "args": (7,)}
    )
    record.__dict__.update({"amount": 12, "route": "orders/<int:pk>/", "_private": 1})
    record.__dict__.update({"note": Decimal("1.5"), "when": date(2026, 1, 2), "user_id": None})
    if vouched:
        record.__dict__[SCRUBBED] = vouched
    ours, theirs = ScrubbingJsonFormatter(FIELDS, **options), JsonFormatter(FIELDS, **options)
    for created in (record.created, record.created + 0.5, record.created + 61):
        record.created, record.msecs = created, (created % 1) * 1000
        line, expected = json.loads(ours.format(record)), json.loads(theirs.format(record))
        assert line == expected
        # The same keys in order, but a field the formatter renames or adds: nobody
        # vouched for it, so it is scrubbed and written after the others.
        if not (vouched and (options.get("rename_fields") or options.get("static_fields"))):
            assert list(line) == list(expected)


class Credentials:
    """An object in ``extra`` whose text holds a secret, as a request's does."""

    def __str__(self) -> str:
        return f"<Credentials api_key={SECRET} host=db>"


def test_an_object_in_extra_is_scrubbed_as_it_is_written(
    configured: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    configured()
    logging.getLogger("shop").info("sync", extra={"remote": Credentials(), "hosts": (DSN_LIKE,)})
    output = capsys.readouterr().out
    assert SECRET not in output
    [line] = (json.loads(text) for text in output.splitlines())
    assert line["remote"] == f"<Credentials api_key={FILTERED} host=db>"
    assert line["hosts"] == [scrub_text(DSN_LIKE)]


@pytest.mark.parametrize("as_json", [True, False])
def test_djangos_request_logger_line_has_the_request_id_and_no_secret(
    configured: Any, capsys: pytest.CaptureFixture[str], as_json: bool
) -> None:
    configured(json=as_json)
    with override_settings(**SETTINGS):
        response = Client().get(
            f"/missing/?password={SECRET}&api_key={SECRET}&page=2", HTTP_X_REQUEST_ID="trace-404"
        )
    assert response.status_code == 404
    output = capsys.readouterr().out
    assert SECRET not in output
    if not as_json:
        assert "[trace-404] Not Found: /missing/" in output
        return
    [line] = [
        line for line in map(json.loads, output.splitlines()) if line["name"] == "django.request"
    ]
    assert line["request_id"] == "trace-404"
    assert line["status_code"] == 404
    assert line["request"] == (
        f"<WSGIRequest: GET '/missing/?password={FILTERED}&api_key={FILTERED}&page=2'>"
    )
