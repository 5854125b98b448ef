"""A gunicorn logger that scrubs its access and error logs as the Django logs are.

In ``gunicorn.conf.py``::

    logger_class = "prodready_observability.gunicorn.ScrubbingLogger"

gunicorn writes its own access line, outside Django's logging: the request line with
its query string (``%(r)s``), any request header (``%({authorization}i)s``), the
referer. With this logger every atom the access log format uses is scrubbed before it
is written (a header or environ variable with a secret name is masked whole; text is
scrubbed like a log line, secrets in the query string included; parts of the path that
the URL pattern captures under a secret name are masked), and every line of both logs
is scrubbed again as written, whatever its formatter. Needs the ``gunicorn`` extra;
the class is made on first use, so this module imports without gunicorn.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import cache
from typing import Any

from prodready_observability.logging import cached_scrubber
from prodready_observability.scrub import FILTERED, Scrubber
from prodready_observability.scrub.values import path_masker, path_secrets

# "%(r)s", "%({x-api-key}i)s": the atoms an access log format uses.
_ATOM = re.compile(r"%\(([^)]*)\)")


def scrub_atoms(atoms: dict[str, Any], used: frozenset[str] | None = None) -> dict[str, Any]:
    """gunicorn's access log atoms, with those in ``used`` (all by default) scrubbed."""
    scrubber = cached_scrubber()
    mask_path = _path_mask(atoms.get("U"), scrubber)
    scrubbed = dict(atoms)
    for name, value in atoms.items():
        if used is not None and name.lower() not in used:
            continue
        if name.startswith("{") and scrubber.is_secret_key(name[1:-2]):
            scrubbed[name] = FILTERED if value not in (None, "", "-") else value
        elif isinstance(value, str):
            text = mask_path(value) if mask_path is not None else value
            scrubbed[name] = scrubber.text(text)
    return scrubbed


def _path_mask(path: object, scrubber: Scrubber) -> Callable[[str], str] | None:
    if not isinstance(path, str) or not path.startswith("/"):
        return None
    values = path_secrets(path, scrubber.is_secret_key)
    return path_masker(values) if values else None


class ScrubbedOutput(logging.Formatter):
    """Wraps a handler's formatter: what it writes is scrubbed, and a request path among
    the record's arguments (gunicorn's "Error handling request %s") has its secret parts
    masked."""

    def __init__(self, formatter: logging.Formatter | None) -> None:
        super().__init__()
        self.inner = formatter or logging.Formatter()

    def format(self, record: logging.LogRecord) -> str:
        text = self.inner.format(record)
        scrubber = cached_scrubber()
        arguments = record.args if isinstance(record.args, tuple) else ()
        for argument in arguments:
            mask = _path_mask(_path_of(argument), scrubber)
            if mask is not None:
                text = mask(text)
        return scrubber.text(text)


def _path_of(argument: object) -> str | None:
    return argument.split("?", 1)[0] if isinstance(argument, str) else None


def __getattr__(name: str) -> Any:
    if name == "ScrubbingLogger":
        return scrubbing_logger_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def scrubbing_logger_class() -> type:
    """gunicorn's ``Logger`` with its atoms and its written lines scrubbed."""
    from gunicorn.glogging import Logger  # type: ignore[import-untyped]

    class ScrubbingLogger(Logger):  # type: ignore[misc]
        """gunicorn's logger, scrubbing the access log's atoms and every written line."""

        def setup(self, cfg: Any) -> None:
            super().setup(cfg)
            self._used_atoms = frozenset(
                name.lower() for name in _ATOM.findall(cfg.access_log_format or "")
            )
            for log in (self.error_log, self.access_log):
                for handler in log.handlers:
                    if not isinstance(handler.formatter, ScrubbedOutput):
                        handler.setFormatter(ScrubbedOutput(handler.formatter))

        def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
            atoms = super().atoms(resp, req, environ, request_time)
            return scrub_atoms(atoms, getattr(self, "_used_atoms", None))

    ScrubbingLogger.__module__ = __name__
    ScrubbingLogger.__qualname__ = "ScrubbingLogger"
    return ScrubbingLogger
