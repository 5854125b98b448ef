"""Processes a test starts and must stop: each in a session of its own, logged to a file,
stopped by process group (its children too, nothing else) in a ``finally``."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TypeVar

import pytest

T = TypeVar("T")


@dataclass
class Processes:
    """Processes of the test, each in a session of its own, stopped by process group."""

    logs: Path
    running: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    outputs: list[IO[bytes]] = field(default_factory=list)

    def start(self, name: str, command: list[str], env: dict[str, str], cwd: Path) -> None:
        output = (self.logs / f"{name}.log").open("wb")
        self.outputs.append(output)
        # A bare command name is looked up in env["PATH"] (subprocess does so when given env).
        self.running[name] = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def tails(self, lines: int = 30) -> str:
        return "\n".join(
            f"--- {path.name} ---\n"
            + "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
            for path in sorted(self.logs.glob("*.log"))
        )

    def fail(self, message: str) -> None:
        __tracebackhide__ = True
        pytest.fail(f"{message}\n\n{self.tails()}")

    def check_running(self) -> None:
        __tracebackhide__ = True
        for name, process in self.running.items():
            if process.poll() is not None:
                self.fail(f"{name} exited with status {process.returncode}")

    def wait_for(self, condition: Callable[[], T | None], what: str, timeout: float) -> T:
        __tracebackhide__ = True
        deadline = time.monotonic() + timeout
        while True:
            self.check_running()
            with contextlib.suppress(OSError):
                if result := condition():
                    return result
            if time.monotonic() > deadline:
                self.fail(f"Timed out after {timeout} s waiting for {what}")
            time.sleep(0.25)

    def stop(self) -> None:
        for process in reversed(self.running.values()):
            _signal_group(process, signal.SIGTERM)
        for process in self.running.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=15)
            _signal_group(process, signal.SIGKILL)  # what is left of its group
            process.wait(timeout=10)
        for output in self.outputs:
            output.close()


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answers(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0
