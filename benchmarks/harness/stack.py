"""The example project's production stack as local processes, for the stack benchmarks.

A Redis of its own on a free port, a throwaway PostgreSQL database
(``PRODREADY_TEST_POSTGRES``, default 127.0.0.1:5432, user
``PRODREADY_TEST_POSTGRES_USER`` or postgres), and the environment the production
settings read, as ``example_project/tests/stack_fixture.py`` builds it. Everything is
stopped and dropped again when the ``production_stack()`` block ends, also on errors.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import importlib.util
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from harness import error, free_port, stop, wait_for_port

BENCHMARKS = Path(__file__).resolve().parent.parent
EXAMPLE = BENCHMARKS.parent / "example_project"
SETTINGS = "school_site.settings.production"
STAFF = "bench-staff"
# Read by harness/stack_settings.py: "production" (the default) or "django-default".
MIDDLEWARE_VARIABLE = "PRODREADY_BENCH_MIDDLEWARE"

# Run by `manage.py shell -c` under the site's settings: a verified staff session per
# locust user, as if each had logged in and entered a code from their app.
SESSIONS_CODE = """
import json
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from prodready_security.testing import force_login_verified
user, _ = get_user_model().objects.get_or_create(
    username={staff!r}, defaults={{"is_staff": True, "is_superuser": True}}
)
keys = []
for _ in range({count}):
    client = Client()
    force_login_verified(client, user)
    keys.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
with open({output!r}, "w") as output:
    json.dump({{"cookie": settings.SESSION_COOKIE_NAME, "keys": keys}}, output)
"""


def missing() -> str | None:
    """Why the stack cannot run here, or None: the reason to print after "skipped: "."""
    if shutil.which("redis-server") is None:
        return "redis-server is not installed (the benchmark starts its own Redis)"
    for module, what in (
        ("school_site", "the example project (pip install -e example_project)"),
        ("gunicorn", "gunicorn"),
        ("psycopg", "psycopg"),
        ("redis", "redis"),
    ):
        if importlib.util.find_spec(module) is None:
            return f"{what} is not installed"
    host, port, _user = postgres()
    try:
        socket.create_connection((host, int(port)), timeout=2).close()
    except OSError as exc:
        return (
            f"PostgreSQL is not reachable at {host}:{port} ({exc.strerror or exc}); "
            "start it or point $PRODREADY_TEST_POSTGRES at one"
        )
    return None


def postgres() -> tuple[str, str, str]:
    host, _, port = os.environ.get("PRODREADY_TEST_POSTGRES", "127.0.0.1:5432").rpartition(":")
    return host, port, os.environ.get("PRODREADY_TEST_POSTGRES_USER", "postgres")


@dataclass
class Stack:
    """Where the stack's services are, and the environment of every process of the site."""

    workdir: Path
    database: str
    env: dict[str, str]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: list[IO[bytes]] = field(default_factory=list)

    def manage(
        self,
        *args: str,
        settings: str = SETTINGS,
        timeout: float = 300,
        env: Mapping[str, str] | None = None,
    ) -> None:
        """``manage.py <args>`` with the site's environment (``env`` added); its output goes
        to a log."""
        log = self.workdir / "manage.log"
        with log.open("ab") as output:
            output.write(f"$ manage.py {' '.join(args)}\n".encode())
            output.flush()
            try:
                result = subprocess.run(
                    [sys.executable, "manage.py", *args],
                    cwd=EXAMPLE,
                    env={**self.env, "DJANGO_SETTINGS_MODULE": settings, **(env or {})},
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    timeout=timeout,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                message = f"manage.py {args[0]} took more than {timeout} s"
                raise SystemExit(self.fail(message)) from None
        if result.returncode:
            raise SystemExit(self.fail(f"manage.py {' '.join(args)} failed"))

    def prepare(self, *, demo_data: bool) -> None:
        """Tables, collected static files (the manifest storage needs them), demo data."""
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput")
        if demo_data:
            # seed_demo refuses production settings (made-up people); the dev settings
            # read the same DATABASE_URL and REDIS_URL.
            self.manage("seed_demo", settings="school_site.settings.dev")

    def staff_sessions(self, count: int) -> tuple[str, list[str]]:
        """The session cookie's name and ``count`` keys of signed-in, 2FA-verified staff."""
        output = self.workdir / "sessions.json"
        code = SESSIONS_CODE.format(staff=STAFF, count=count, output=str(output))
        self.manage("shell", "--no-startup", "--command", code)
        sessions = json.loads(output.read_text())
        return sessions["cookie"], sessions["keys"]

    def start(
        self,
        name: str,
        command: list[str],
        env: Mapping[str, str] | None = None,
        cwd: Path = EXAMPLE,
    ) -> subprocess.Popen[bytes]:
        """Start a process of the site, ``env`` added to its environment, its output in
        ``<name>.log``. In example_project/ unless told otherwise, where gunicorn reads
        gunicorn.conf.py."""
        output = (self.workdir / f"{name}.log").open("wb")
        self.logs.append(output)
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env={**self.env, **(env or {})},
            stdout=output,
            stderr=subprocess.STDOUT,
            # A process group of its own, so stopping it stops its children too.
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def fail(self, message: str, lines: int = 30) -> int:
        """Print ``message`` with the end of every log; 1, the exit status to return."""
        for path in sorted(self.workdir.glob("*.log")):
            tail = path.read_text(errors="replace").splitlines()[-lines:]
            if tail:
                print(f"--- {path.name} (last {len(tail)} lines) ---", file=sys.stderr)
                print("\n".join(tail), file=sys.stderr)
        return error(message)

    def stop(self) -> None:
        for process in reversed(self.processes):
            stop_group(process)
        for output in self.logs:
            output.close()


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """Stop a process started with its own session, and whatever of its group is left."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    stop(process)


@contextlib.contextmanager
def production_stack(label: str) -> Iterator[Stack]:
    """A Redis and a database of their own, and the production environment around them."""
    import psycopg

    host, port, user = postgres()
    database = f"prodready_bench_{label}_{os.getpid()}"
    admin_dsn = f"host={host} port={port} user={user} dbname=postgres"
    with tempfile.TemporaryDirectory(prefix="prodready-bench-") as directory:
        workdir = Path(directory)
        redis_port = free_port()
        redis_server = subprocess.Popen(
            ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", ""],
            stdout=subprocess.DEVNULL,
            cwd=workdir,
        )
        created = False
        stack = None
        try:
            wait_for_port(redis_port, "redis-server")
            with psycopg.connect(admin_dsn, autocommit=True) as connection:
                connection.execute(f'CREATE DATABASE "{database}"')
            created = True
            stack = Stack(
                workdir=workdir,
                database=database,
                env=environment(
                    workdir,
                    f"postgres://{user}@{host}:{port}/{database}",
                    f"redis://127.0.0.1:{redis_port}/0",
                ),
            )
            yield stack
        finally:
            try:
                if stack is not None:
                    stack.stop()
            finally:
                stop(redis_server)
                if created:
                    with psycopg.connect(admin_dsn, autocommit=True) as connection:
                        connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def environment(workdir: Path, database_url: str, redis_url: str) -> dict[str, str]:
    """What the production settings read, and nothing of the caller's production variables."""
    from cryptography.fernet import Fernet

    names = production_variables()
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in names and not name.startswith(("DJANGO_", "SENTRY_", "GUNICORN_"))
    }
    for directory in ("static", "media", "backups", "prometheus"):
        (workdir / directory).mkdir()
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        OTP_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        BACKUP_ENCRYPTION_KEYS=base64.b64encode(os.urandom(32)).decode(),
        # The benchmark's clients stand in for nginx, on the same machine.
        TRUSTED_PROXIES="127.0.0.1",
        HEALTH_TOKEN=secrets.token_urlsafe(32),
        METRICS_TOKEN=secrets.token_urlsafe(32),
        STATIC_ROOT=str(workdir / "static"),
        MEDIA_ROOT=str(workdir / "media"),
        BACKUP_DIRECTORY=str(workdir / "backups"),
        PROMETHEUS_MULTIPROC_DIR=str(workdir / "prometheus"),
        # As .env.production.example ships it: one JSON line per request.
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    return env


def production_variables() -> set[str]:
    """Every variable .env.production.example names: none may leak in from outside."""
    text = (EXAMPLE / ".env.production.example").read_text()
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def gunicorn_command(*args: str) -> list[str]:
    """``python -m gunicorn <args>``, without the control socket gunicorn 25.1+ opens in
    the home directory (shared by every gunicorn of the user)."""
    from gunicorn.config import KNOWN_SETTINGS  # type: ignore[import-untyped, unused-ignore]

    command = [sys.executable, "-m", "gunicorn", *args]
    if any(setting.name == "control_socket_disable" for setting in KNOWN_SETTINGS):
        command.append("--no-control-socket")
    return command


def answers(port: int, headers: Mapping[str, str]) -> None:
    """Any answer from ``/health/live`` will do: the site is up."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/health/live", headers=dict(headers))
        connection.getresponse().read()
    finally:
        connection.close()
