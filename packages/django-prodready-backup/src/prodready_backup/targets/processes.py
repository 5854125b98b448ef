"""Child processes that a dump streams from or a restore streams into."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Callable, Iterable, Iterator
from typing import IO

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

from prodready_backup.errors import DumpError

PIPE_CHUNK = 256 * 1024


def widen_pipe(pipe: IO[bytes] | None) -> None:
    # A 1 MiB pipe (Linux; 64 KiB by default) lets the dump tool run ahead while a chunk
    # is compressed and encrypted, instead of the two taking turns.
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl else None
    if pipe is None or set_size is None:
        return
    with contextlib.suppress(OSError):
        fcntl.fcntl(pipe.fileno(), set_size, 1024 * 1024)


def stream(
    process: subprocess.Popen[bytes],
    stderr: IO[bytes],
    program: str,
    finish: Callable[[], object] | None = None,
) -> Iterator[bytes]:
    """The process's output; a dump that failed raises, after ``finish`` (what the
    manifest needs besides the bytes) has been waited for."""
    assert process.stdout is not None
    while data := process.stdout.read(PIPE_CHUNK):
        yield data
    code = process.wait()
    if code != 0:
        raise DumpError(f"{program} failed (exit status {code}): {tail(stderr)}")
    if finish is not None:
        finish()


def end_dump(process: subprocess.Popen[bytes] | None) -> None:
    """After a dump, read to its end or not: the tool killed if the reader stopped early
    (an error, a full storage), and its output closed."""
    if process is None:
        return
    if process.poll() is None:
        process.kill()
        process.wait()
    assert process.stdout is not None
    process.stdout.close()


def feed(process: subprocess.Popen[bytes], chunks: Iterable[bytes]) -> None:
    assert process.stdin is not None
    try:
        for chunk in chunks:
            process.stdin.write(chunk)
        process.stdin.close()
    except BrokenPipeError:
        pass  # the process stopped early; its exit status and stderr say why


def tail(stderr: IO[bytes], limit: int = 500) -> str:
    stderr.seek(0)
    text = stderr.read().decode(errors="replace").strip()
    return text[-limit:] or "no error output"
