"""Where in the project something happened: the innermost frame of the project's code.

Django's, the standard library's, installed packages' (site-packages) and prodready's own
frames are passed over, so a slow query is placed at the view or model method that ran
it, not in the ORM.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from types import FrameType, TracebackType

UNKNOWN = "<unknown>"
_SKIPPED_MODULES = ("django", "prodready", "asgiref", "gunicorn", "celery", "kombu")


def _skipped_directories() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    found = {paths.get(name) for name in ("stdlib", "platstdlib", "purelib", "platlib")}
    return tuple(os.path.join(path, "") for path in found if path)


_SKIPPED_DIRECTORIES = _skipped_directories()


def in_project(frame: FrameType) -> bool:
    module = str(frame.f_globals.get("__name__", ""))
    if module.split(".", 1)[0].startswith(_SKIPPED_MODULES):
        return False
    filename = frame.f_code.co_filename
    return not (
        filename.startswith(("<", *_SKIPPED_DIRECTORIES))
        or "site-packages" in filename
        or "dist-packages" in filename
    )


def describe(frame: FrameType) -> str:
    return f"{_short(frame.f_code.co_filename)}:{frame.f_lineno} in {frame.f_code.co_name}"


def caller(frame: FrameType | None) -> str:
    """The first frame of the project's code from ``frame`` outwards."""
    while frame is not None:
        if in_project(frame):
            return describe(frame)
        frame = frame.f_back
    return UNKNOWN


def raised_at(traceback: TracebackType | None) -> str:
    """The innermost frame of the project's code in ``traceback``, else the innermost one."""
    found: str | None = None
    last: FrameType | None = None
    while traceback is not None:
        last = traceback.tb_frame
        if in_project(last):
            found = (
                f"{_short(last.f_code.co_filename)}:{traceback.tb_lineno} in {last.f_code.co_name}"
            )
        traceback = traceback.tb_next
    if found is not None:
        return found
    return UNKNOWN if last is None else describe(last)


def _short(filename: str) -> str:
    """The path below its longest ``sys.path`` entry: ``school/views.py``, never the
    machine's directories."""
    best = ""
    for entry in sys.path:
        if entry and filename.startswith(os.path.join(entry, "")) and len(entry) > len(best):
            best = entry
    return os.path.relpath(filename, best) if best else os.path.basename(filename)
