"""Structured logs: JSON lines on stdout, each with the request id, user id, no secrets.

In the settings module::

    from prodready_observability.logging import configure_logging

    LOGGING = configure_logging(level=env("LOG_LEVEL", default="INFO"))

Every record passes :class:`ContextFilter` on its way to a handler, which adds
``request_id`` and ``user_id`` from the current request or Celery task (or from the
request the record carries, as Django's request and security loggers' records do).

Secrets are masked by the formatters, in what they write: every field is first turned
into the text or JSON value it is written as (an object in ``extra``, such as the
``request`` of Django's request logger, becomes its ``str()``), and only then scrubbed
with the scrubber Sentry events go through, so no object's text escapes and a secret
is masked the same way in both.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import orjson
from django.core.exceptions import ImproperlyConfigured
from pythonjsonlogger.orjson import OrjsonFormatter

from prodready_observability.context import (
    current_request,
    current_request_id,
    current_user_id,
    user_id_of,
)
from prodready_observability.scrub.values import path_masker, request_path_secrets
from prodready_observability.scrub.walk import Scrubber, get_scrubber, mask_strings

FILTER_PATH = "prodready_observability.logging"
FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
# Attributes every LogRecord has; anything else on a record came from ``extra``.
STANDARD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "user_id",
}
# Set on a record whose producer vouches for some of its fields (the request line, one
# per request): the names of those fields, which it made of nothing a client chose.
# ScrubFilter passes such a record as it is; the JSON formatter scrubs only its other
# fields. The leading "_" keeps it out of the JSON, as python-json-logger leaves such
# attributes out.
SCRUBBED = "_prodready_scrubbed"
# What the JSON formatter itself writes of every record, from the logger and the clock.
_FORMATTER_FIELDS = frozenset({"asctime", "levelname", "name"})
# The line a formatter made of a record: ((formatter's id, record.created), line). Leading
# "_": left out of the JSON and of the fields ScrubFilter scrubs.
FORMATTED = "_prodready_formatted"
# The fields the JSON formatter writes for a vouched record, and those not vouched for.
_Layout = tuple[tuple[str, ...], tuple[str, ...]]
# Kinds of vouched records a formatter keeps the layout of (the request line is one).
_MAX_LAYOUTS = 64
# Types written as they are; anything else is turned into what it is written as first.
_WRITTEN_AS_IS = frozenset({str, int, float, bool, type(None)})


def configure_logging(
    *,
    level: str = "INFO",
    loggers: Mapping[str, str] | None = None,
    file: str | None = None,
    file_max_bytes: int = 10 * 1024 * 1024,
    file_backups: int = 5,
    json: bool = True,
    stdout: bool = True,
) -> dict[str, Any]:
    """A ``LOGGING`` dictConfig: JSON lines on stdout, a rotating file, or both.

    Only the handlers asked for are added, and a line written to both is formatted
    (and scrubbed) once: the handlers share one formatter, which keeps its last line
    on the record.

    :param level: the root logger's level (and so of everything that propagates).
    :param loggers: levels of particular loggers, such as ``{"django.db.backends": "INFO"}``.
    :param file: a path to write to, rotated at ``file_max_bytes`` keeping
        ``file_backups`` old files.
    :param json: False writes plain text lines instead (for a developer's terminal).
    :param stdout: False writes to ``file`` only.
    :raises ValueError: when neither ``stdout`` nor a ``file`` is asked for.
    """
    if not stdout and not file:
        raise ValueError(
            "configure_logging(stdout=False) needs file=<path>: otherwise no line is "
            "written anywhere. Pass a file, or leave stdout=True."
        )
    filters = ["prodready_context"]
    formatter = "json" if json else "text"
    handlers: dict[str, dict[str, Any]] = {}
    if stdout:
        handlers["console"] = {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": formatter,
            "filters": filters,
        }
    if file:
        handlers["file"] = {
            "class": "logging.handlers.RotatingFileHandler",
            "filename": file,
            "maxBytes": file_max_bytes,
            "backupCount": file_backups,
            "encoding": "utf-8",
            "delay": True,
            "formatter": formatter,
            "filters": filters,
        }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "prodready_context": {"()": f"{FILTER_PATH}.ContextFilter"},
            "prodready_scrub": {"()": f"{FILTER_PATH}.ScrubFilter"},
        },
        "formatters": {
            "json": {"()": f"{FILTER_PATH}.ScrubbingJsonFormatter", "fmt": FIELDS},
            "text": {
                "()": f"{FILTER_PATH}.ScrubbingTextFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
            },
        },
        "handlers": handlers,
        "root": {"level": level.upper(), "handlers": list(handlers)},
        "loggers": {
            name: {"level": logger_level.upper()} for name, logger_level in (loggers or {}).items()
        },
    }


class ContextFilter(logging.Filter):
    """Adds ``request_id`` and ``user_id`` of the current request or task (None outside).

    A record that carries its request (``extra={"request": request}``, as Django's
    request and security loggers do) takes them from that request when no request is
    current: Django's request logger writes its 4xx/5xx line after the middleware has
    returned.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request = record.__dict__.get("request")
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id() or _request_id_of(request)
        if getattr(record, "user_id", None) is None:
            record.user_id = current_user_id() or _user_id_of(request)
        return True


def _request_id_of(request: object) -> str | None:
    request_id = getattr(request, "prodready_request_id", None)
    return request_id if isinstance(request_id, str) else None


def _user_id_of(request: Any) -> str | None:
    if request is None or not hasattr(request, "__dict__"):
        return None
    return user_id_of(request)


class ScrubFilter(logging.Filter):
    """Masks secrets in the message, its arguments and the record's extra fields.

    The formatters of :func:`configure_logging` scrub what they write, whatever the
    record holds; this filter is for handlers with formatters of their own (a mail or
    a third-party handler), so that their records are scrubbed too. Objects in
    ``extra`` are turned into their text first, so none reaches a handler unscrubbed.

    The message is formatted with its arguments first, so a secret passed as an
    argument is found in its context (``"password=%s"``); the record then carries
    the scrubbed text and no arguments.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.__dict__.get(SCRUBBED):
            return True
        scrubber = cached_scrubber()
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what there is, scrubbed
            message = f"{record.msg!s} {record.args!r}"
        record.msg = scrubber.text(message)
        record.args = None
        extra = {
            key: value
            for key, value in record.__dict__.items()
            if key not in STANDARD_ATTRIBUTES and not key.startswith("_")
        }
        if extra:
            written = {
                key: value if type(value) in _WRITTEN_AS_IS else as_written(value)
                for key, value in extra.items()
            }
            record.__dict__.update(scrubber.mapping(written))
        return True


def as_written(value: Any, default: Callable[[Any], Any] | None = None) -> Any:
    """``value`` as a JSON line writes it: text, a number, or lists and dicts of them.

    :param default: what turns an object orjson does not know into JSON
        (python-json-logger's, for its formatter); ``str()`` otherwise.
    """
    try:
        return orjson.loads(orjson.dumps(value, default=default or str))
    except TypeError:  # an integer past 64 bits or a key that is not text
        return json.loads(json.dumps(value, default=default or str))


def _readable_message(record: logging.LogRecord) -> bool:
    """Whether the message had a bad format string; if so it is now written with its
    arguments after it."""
    try:
        record.getMessage()
    except Exception:
        record.msg, record.args = f"{record.msg!s} {record.args!r}", None
        return True
    return False


def _format_readably(
    formatter: logging.Formatter,
    format: Callable[[logging.LogRecord], str],
    record: logging.LogRecord,
) -> str:
    """``format(record)``, again with a readable message if its format string was bad
    (the message is formatted once when it is good, as records nearly always are).

    The line is kept on the record for ``formatter``: a second handler sharing it (the
    console and the file of :func:`configure_logging`) writes it without formatting
    and scrubbing it again.
    """
    key = (id(formatter), record.created)  # a record made again writes anew
    kept = record.__dict__.get(FORMATTED)
    if kept is not None and kept[0] == key:
        return kept[1]  # type: ignore[no-any-return]
    try:
        line = format(record)
    except Exception:
        if not _readable_message(record):
            raise
        line = format(record)
    record.__dict__[FORMATTED] = (key, line)
    return line


class ScrubbingJsonFormatter(OrjsonFormatter):
    """python-json-logger's orjson formatter, scrubbing every field it writes.

    Each field is turned into the JSON value it is written as (an object becomes the
    text python-json-logger writes for it), then the whole line is scrubbed, keys and
    values, as a Sentry event is: no field escapes by its type.

    Made for a line per request: orjson, not the standard library's encoder, which took
    most of a line's cost; fields copied in one pass when none is renamed, added or
    defaulted; the date and time formatted once a second.
    """

    _second: tuple[int, str | None, str] = (-1, None, "")  # second, datefmt, its text

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._layouts: dict[tuple[tuple[str, ...], frozenset[str]], _Layout] = {}

    def format(self, record: logging.LogRecord) -> str:
        return _format_readably(self, self._format, record)

    def _format(self, record: logging.LogRecord) -> str:
        vouched = record.__dict__.get(SCRUBBED)
        if (
            type(vouched) is frozenset
            and type(record.msg) is str
            and not (record.exc_info or record.exc_text or record.stack_info)
            and not (self.rename_fields or self.static_fields or self.defaults or self.timestamp)
        ):
            return self._format_vouched(record, vouched)
        return super().format(record)

    def _format_vouched(self, record: logging.LogRecord, vouched: frozenset[str]) -> str:
        """What ``format`` writes for a record with vouched fields and nothing but a
        message to add (the request line): the fields as :meth:`_layout` lists them."""
        record.message = record.getMessage()
        if "asctime" in self._required_fields:
            record.asctime = self.formatTime(record, self.datefmt)
        fields = record.__dict__
        names, unvouched = self._layout(tuple(fields), vouched)
        log_data = {name: fields.get(name) for name in names}
        if not _WRITTEN_AS_IS.issuperset(map(type, log_data.values())):
            default = self.json_default
            for name, value in log_data.items():  # values replaced: no key is added
                if type(value) not in _WRITTEN_AS_IS:
                    log_data[name] = as_written(value, default)
        if unvouched:  # a key can be scrubbed too, so these are added under their new names
            rest = {name: log_data.pop(name) for name in unvouched}
            log_data.update(scrub_written(rest, record))
        return self.serialize_log_record(self.process_log_record(log_data))

    def _layout(self, attributes: tuple[str, ...], vouched: frozenset[str]) -> _Layout:
        """The fields written for a record with these attributes, in order, and those of
        them not vouched for.

        Worked out once per set of attributes, which is the same for every request line,
        instead of testing each of a record's thirty-odd attributes on every line.
        """
        key = (attributes, vouched)
        layout = self._layouts.get(key)
        if layout is None:
            skip = self._skip_fields
            names = tuple(
                dict.fromkeys(
                    [
                        *self._required_fields,
                        *(name for name in attributes if name not in skip and name[:1] != "_"),
                    ]
                )
            )
            unvouched = tuple(
                name for name in names if name not in vouched and name not in _FORMATTER_FIELDS
            )
            if len(self._layouts) >= _MAX_LAYOUTS:
                self._layouts.clear()
            layout = self._layouts[key] = (names, unvouched)
        return layout

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        self._copy_fields(log_data, record, message_dict)
        default = self.json_default
        written = {
            key: value if type(value) in _WRITTEN_AS_IS else as_written(value, default)
            for key, value in log_data.items()
        }
        log_data.clear()
        vouched = record.__dict__.get(SCRUBBED)
        if not isinstance(vouched, frozenset):
            log_data.update(scrub_written(written, record))
            return
        rest = {
            key: value
            for key, value in written.items()
            if key not in vouched and key not in _FORMATTER_FIELDS
        }
        log_data.update({key: value for key, value in written.items() if key not in rest})
        if rest:  # a key can be scrubbed too, so these are added under their new names
            log_data.update(scrub_written(rest, record))

    def _copy_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        if self.rename_fields or self.static_fields or self.defaults or self.timestamp:
            super().add_fields(log_data, record, message_dict)
            return
        # What python-json-logger copies, in its order, without its renaming per field.
        fields = record.__dict__
        for name in self._required_fields:
            log_data[name] = fields.get(name)
        log_data.update(message_dict)
        skip = self._skip_fields
        log_data.update(
            {
                key: value
                for key, value in fields.items()
                if key not in skip and not key.startswith("_")
            }
        )

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        second = int(record.created)
        cached_second, cached_datefmt, text = self._second
        if (cached_second, cached_datefmt) != (second, datefmt):
            text = time.strftime(datefmt or self.default_time_format, self.converter(second))
            self._second = (second, datefmt, text)
        if datefmt or not self.default_msec_format:
            return text
        return self.default_msec_format % (text, record.msecs)

    def jsonify_log_record(self, log_data: dict[str, Any]) -> str:
        try:
            return super().jsonify_log_record(log_data)
        except TypeError:  # an integer past 64 bits, which orjson refuses: keep the line
            return json.dumps(log_data, default=str)

    def formatException(self, ei: Any) -> str | list[str]:  # type: ignore[override]
        return _scrub_lines(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str | list[str]:  # type: ignore[override]
        return _scrub_lines(super().formatStack(stack_info))


def _scrub_lines(formatted: str | list[str]) -> str | list[str]:
    scrubber = cached_scrubber()
    if isinstance(formatted, str):
        return scrubber.text(formatted)
    return [scrubber.text(line) for line in formatted]


class ScrubbingTextFormatter(logging.Formatter):
    """A plain text formatter that scrubs the whole line it writes."""

    def format(self, record: logging.LogRecord) -> str:
        return _format_readably(self, self._format_scrubbed, record)

    def _format_scrubbed(self, record: logging.LogRecord) -> str:
        return str(scrub_written(super().format(record), record))

    def formatException(self, ei: Any) -> str:
        # Scrubbed here as well: logging keeps it on the record for other handlers.
        return cached_scrubber().text(super().formatException(ei))


def scrub_written(written: Any, record: logging.LogRecord) -> Any:
    """What a formatter writes for ``record`` (text, or a line's fields), scrubbed.

    Secrets in the path of the record's request (its own, or the current one) are
    masked first: a password-reset token in ``/reset/<uidb64>/<token>/``.
    """
    scrubber = cached_scrubber()
    request = record.__dict__.get("request") or current_request()
    if request is not None:
        values = request_path_secrets(request, scrubber.is_secret_key)
        if values:
            written = mask_strings(written, path_masker(values))
    return scrubber.value(written)


def cached_scrubber() -> Scrubber:
    """The current settings' scrubber (``get_scrubber`` keeps it until a setting changes)."""
    try:
        return get_scrubber()
    except ImproperlyConfigured:  # a record before settings are configured: built-in rules
        return Scrubber()
