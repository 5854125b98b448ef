"""Structured logs: JSON lines on stdout, each with the request id, user id, no secrets.

In the settings module::

    from prodready_observability.logging import configure_logging

    LOGGING = configure_logging(level=env("LOG_LEVEL", default="INFO"))

Every record passes two filters on its way to a handler: :class:`ContextFilter`
adds ``request_id`` and ``user_id`` from the current request or Celery task, and
:class:`ScrubFilter` masks secrets in the message, its arguments and its extra
fields with the scrubber Sentry events go through, so a secret is masked the same
way in both. Tracebacks are scrubbed by the formatter.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.signals import setting_changed
from pythonjsonlogger.orjson import OrjsonFormatter

from prodready_observability.requests.context import current_request_id, current_user_id

if TYPE_CHECKING:
    from prodready_observability.scrub import Scrubber

FILTER_PATH = "prodready_observability.logging"
FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
# Attributes every LogRecord has; anything else on a record came from ``extra``.
STANDARD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "user_id",
}
# Set on a record whose fields its producer has scrubbed already (the request line,
# one per request): the filter passes it as it is. The leading "_" keeps it out of
# the JSON, as python-json-logger leaves such attributes out.
SCRUBBED = "_prodready_scrubbed"


def configure_logging(
    *,
    level: str = "INFO",
    loggers: Mapping[str, str] | None = None,
    file: str | None = None,
    file_max_bytes: int = 10 * 1024 * 1024,
    file_backups: int = 5,
    json: bool = True,
) -> dict[str, Any]:
    """A ``LOGGING`` dictConfig: JSON lines on stdout, optionally also a rotating file.

    :param level: the root logger's level (and so of everything that propagates).
    :param loggers: levels of particular loggers, such as ``{"django.db.backends": "INFO"}``.
    :param file: a path to also write to, rotated at ``file_max_bytes`` keeping
        ``file_backups`` old files.
    :param json: False writes plain text lines instead (for a developer's terminal).
    """
    filters = ["prodready_context", "prodready_scrub"]
    formatter = "json" if json else "text"
    handlers: dict[str, dict[str, Any]] = {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": formatter,
            "filters": filters,
        }
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
    """Adds ``request_id`` and ``user_id`` of the current request or task (None outside)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id()
        if getattr(record, "user_id", None) is None:
            record.user_id = current_user_id()
        return True


class ScrubFilter(logging.Filter):
    """Masks secrets in the message, its arguments and the record's extra fields.

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
            record.__dict__.update(scrubber.mapping(extra))
        return True


class ScrubbingJsonFormatter(OrjsonFormatter):
    """python-json-logger's orjson formatter, with tracebacks scrubbed.

    Made for a line per request: orjson, not the standard library's encoder, which took
    most of a line's cost; fields copied in one pass when none is renamed, added or
    defaulted; the date and time formatted once a second.
    """

    _second: tuple[int, str | None, str] = (-1, None, "")  # second, datefmt, its text

    def add_fields(
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
    """A plain text formatter, with tracebacks scrubbed."""

    def formatException(self, ei: Any) -> str:
        return cached_scrubber().text(super().formatException(ei))


_scrubbers: list[Scrubber] = []  # the current settings' scrubber, once made


def cached_scrubber() -> Scrubber:
    """The current settings' scrubber, kept until a setting changes (records are many)."""
    if _scrubbers:
        return _scrubbers[0]
    from django.core.exceptions import ImproperlyConfigured

    from prodready_observability.scrub import Scrubber, get_scrubber

    try:
        scrubber = get_scrubber()
    except ImproperlyConfigured:  # a record before settings are configured: built-in rules
        return Scrubber()
    _scrubbers.append(scrubber)
    return scrubber


def _forget_scrubber(**kwargs: Any) -> None:
    _scrubbers.clear()


setting_changed.connect(_forget_scrubber, dispatch_uid="prodready_observability.logging")
