"""The production stack, started once per test session and shared by the tests that need it.

``test_stack.py`` (security, health, logins, a backup, outages) and ``test_monitoring.py``
(a Prometheus scraping the site) each used to start their own: nginx (TLS, the production
nginx.conf) in front of gunicorn, a Celery worker and beat, all with the production
settings, on a fresh PostgreSQL database reached through a TCP proxy the tests control and
a redis-server of their own. Starting it is most of those tests' time, so the session
starts it once (``production_stack``), and ``stack`` hands it to each test whole again:
whatever a test took away (Redis frozen or stopped, PostgreSQL refused) is given back and
the site is healthy before the next test starts, whatever the order they run in.

Needs PostgreSQL, redis-server and nginx; without them the tests skip, or fail with
``PRODREADY_TEST_SERVICES=required``.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any

import pytest

from prodready._ci import service_address
from prodready.testing import RedisServer, TcpProxy
from tests.stack_support import (
    EXAMPLE,
    fetch,
    make_nginx_site,
    nginx_command,
    production_variables,
    require_tool,
    run,
)

ADMIN = "admin"
ADMIN_PASSWORD = f"Stack-Test-{secrets.token_hex(4)}-9!"
WORKERS = 2  # gunicorn's
# The health checks of what tests take away, which must pass before the next test.
NEEDED_BY_TESTS = {"database:default", "cache:default", "celery"}

# --- the processes -------------------------------------------------------------------


@dataclass
class Stack:
    """The running stack: its processes, their logs, and where things are."""

    site: SimpleNamespace
    env: dict[str, str]
    logs: Path
    database: str
    backup_dir: Path
    processes: dict[str, subprocess.Popen[bytes]]
    log_files: list[IO[bytes]]
    redis: RedisServer
    postgres: TcpProxy

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.site.https_port}"

    def log_tails(self, lines: int = 40) -> str:
        parts = []
        for path in sorted(self.logs.glob("*.log")):
            tail = path.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- {path.name} (last {len(tail)} lines) ---\n" + "\n".join(tail))
        return "\n".join(parts)

    def fail(self, message: str) -> None:
        __tracebackhide__ = True
        pytest.fail(f"{message}\n\n{self.log_tails()}", pytrace=True)

    def check(self, condition: object, message: str) -> None:
        """``assert condition, message`` with every process's log in the message."""
        __tracebackhide__ = True
        if not condition:
            self.fail(message)

    def manage(self, *args: str, timeout: float = 60, **env: str) -> None:
        log = self.logs / "manage.log"
        with log.open("ab") as output:
            output.write(f"$ manage.py {' '.join(args)}\n".encode())
            output.flush()
            try:
                result = subprocess.run(
                    [sys.executable, "manage.py", *args],
                    cwd=EXAMPLE,
                    env=self.env | env,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    timeout=timeout,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                self.fail(f"manage.py {' '.join(args)} took more than {timeout} s")
        self.check(result.returncode == 0, f"manage.py {' '.join(args)} failed")

    def start(self, name: str, command: list[str]) -> None:
        output = (self.logs / f"{name}.log").open("wb")
        self.log_files.append(output)
        # A session (process group) of its own, so stopping it also stops its children.
        self.processes[name] = subprocess.Popen(
            command,
            cwd=EXAMPLE,
            env=self.env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def check_running(self) -> None:
        __tracebackhide__ = True
        for name, process in self.processes.items():
            if process.poll() is not None:
                self.fail(f"{name} exited with status {process.returncode}")

    def make_whole(self) -> None:
        """Give back what a test took away, then wait until the site is healthy again.

        PostgreSQL accepted again; Redis thawed, or started again (empty, as after a
        crash); /health/ready a 200 with the database, the cache and the broker passing
        (the site's circuit breakers try them again seconds after their last failure).
        """
        __tracebackhide__ = True
        self.postgres.restore()
        if self.redis.running:
            self.redis.thaw()
        else:
            self.redis.start()
        self.check_running()

        def healthy() -> bool:
            probe = fetch(self.site, "/health/ready", host="127.0.0.1")
            if probe.status != 200:  # 503 while a critical check fails; 502 from nginx
                return False
            return not set(json.loads(probe.text).get("failing", [])) & NEEDED_BY_TESTS

        wait_until(self, healthy, "the stack to be healthy again", timeout=60)

    def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            _signal_group(process, signal.SIGTERM)
        for process in self.processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
            # Whatever of its group is left (gunicorn workers, nginx workers).
            _signal_group(process, signal.SIGKILL)
            process.wait(timeout=10)
        for output in self.log_files:
            output.close()


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    # The group the process leads (start_new_session): its own children, nothing else.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def wait_until(stack: Stack, condition: Any, what: str, timeout: float) -> Any:
    """Poll ``condition()`` until it returns something true; fail after ``timeout`` s."""
    __tracebackhide__ = True
    deadline = time.monotonic() + timeout
    while True:
        stack.check_running()
        try:
            result = condition()
        except OSError:
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            stack.fail(f"Timed out after {timeout} s waiting for {what}")
        time.sleep(0.25)


def stack_environment(
    site: SimpleNamespace, database_url: str, redis_url: str, tmp_path: Path
) -> dict[str, str]:
    from cryptography.fernet import Fernet

    env = {
        name: value
        for name, value in os.environ.items()
        if name not in production_variables() and not name.startswith(("DJANGO_", "SENTRY_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="school_site.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        # nginx forwards `Host: $host`, the address without the port.
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CSRF_TRUSTED_ORIGINS=f"https://127.0.0.1:{site.https_port}",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        OTP_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        BACKUP_ENCRYPTION_KEYS=base64.b64encode(os.urandom(32)).decode(),
        TRUSTED_PROXIES="127.0.0.1",
        SECURE_SSL_REDIRECT="true",
        HEALTH_TOKEN=secrets.token_urlsafe(32),
        METRICS_TOKEN=secrets.token_urlsafe(32),
        SCHOOL_ADMIN_PASSWORD=ADMIN_PASSWORD,
        # Where compose mounts volumes, here the directories nginx serves.
        STATIC_ROOT=str(site.prefix / "static"),
        MEDIA_ROOT=str(site.prefix / "media"),
        BACKUP_DIRECTORY=str(tmp_path / "backups"),
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus"),
        GUNICORN_BIND=f"127.0.0.1:{site.upstream_port}",
        GUNICORN_WORKERS=str(WORKERS),
        GUNICORN_GRACEFUL_TIMEOUT="5",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    return env


def gunicorn_control_socket(tmp_path: Path) -> list[str]:
    """gunicorn 25.1+ opens a control socket in ~/.gunicorn: keep this one's in tmp_path."""
    from gunicorn.config import KNOWN_SETTINGS

    if not any(setting.name == "control_socket" for setting in KNOWN_SETTINGS):
        return []
    return ["--control-socket", str(tmp_path / "gunicorn.ctl")]


@pytest.fixture
def stack(production_stack: Stack) -> Stack:
    """The session's stack, whole and healthy whatever the tests before this one did."""
    production_stack.make_whole()
    return production_stack


@pytest.fixture(scope="session")
def production_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Started at the first test that asks for it, stopped at the end of the session."""
    import psycopg

    tmp_path = tmp_path_factory.mktemp("stack")
    require_tool("nginx")
    (tmp_path / "nginx").mkdir()
    site = make_nginx_site(tmp_path / "nginx")
    for directory in ("logs", "prometheus", "backups"):
        (tmp_path / directory).mkdir()
    pg_host, pg_port = service_address("requires_postgres")
    database = f"school_stack_{os.getpid()}_{secrets.token_hex(3)}"
    owner, app = f"{database}_owner", f"{database}_app"  # roles are the cluster's: unique
    admin_dsn = f"host={pg_host} port={pg_port} user=postgres dbname=postgres"
    # Services the test may stop: its own Redis, and the shared PostgreSQL behind a proxy.
    redis_server = RedisServer()
    redis_server.start()
    postgres = TcpProxy(pg_host, pg_port)
    postgres.start()
    stack = Stack(
        site=site,
        env=stack_environment(
            site,
            f"postgres://{app}@127.0.0.1:{postgres.port}/{database}",
            f"{redis_server.url}/0",
            tmp_path,
        ),
        logs=tmp_path / "logs",
        database=database,
        backup_dir=tmp_path / "backups",
        processes={},
        log_files=[],
        redis=redis_server,
        postgres=postgres,
    )
    with psycopg.connect(admin_dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{database}"')
    try:
        # The roles as the compose file's db service makes them, with the same file.
        roles = [*("-v", f"owner={owner}", "-v", f"owner_password={secrets.token_hex(8)}")]
        roles += ["-v", f"app={app}", "-v", f"app_password={secrets.token_hex(8)}"]
        psql = require_tool("psql")
        created = run(
            *(psql, "-X", "-q", "-h", pg_host, "-p", str(pg_port), "-U", "postgres"),
            *("-d", database, *roles, "-v", f"database={database}"),
            *("-f", str(EXAMPLE / "postgres" / "roles.sql")),
        )
        assert created.returncode == 0, created.stderr
        # Set-up talks to PostgreSQL directly: the proxy is for the site's processes.
        # Migrations run as the owner, as compose's migrate service does.
        direct = {"DATABASE_URL": f"postgres://{owner}@{pg_host}:{pg_port}/{database}"}
        stack.manage("migrate", "--noinput", timeout=180, **direct)  # a loaded machine
        stack.manage("seed_production", "--admin-username", ADMIN, **direct)
        stack.manage("collectstatic", "--noinput", "--verbosity", "0")
        (site.prefix / "media" / "homework").mkdir()
        (site.prefix / "media" / "homework" / "essay.txt").write_text("An essay.\n")
        python = sys.executable
        gunicorn = [python, "-m", "gunicorn", "-c", "gunicorn.conf.py", "school_site.wsgi"]
        stack.start("gunicorn", gunicorn + gunicorn_control_socket(tmp_path))
        stack.start(
            "worker",
            [
                *(python, "-m", "celery", "-A", "school_site", "worker"),
                *("--pool", "solo", "--concurrency", "1", "--loglevel", "INFO"),
                *("--without-gossip", "--without-mingle"),
            ],
        )
        schedule = str(tmp_path / "celerybeat-schedule")
        stack.start(
            "beat",
            [python, "-m", "celery", "-A", "school_site", "beat", "-s", schedule, "-l", "INFO"],
        )
        stack.start("nginx", nginx_command(site, directives="daemon off;"))
        wait_until(
            stack,
            lambda: fetch(site, "/health/live", host="127.0.0.1").status == 200,
            "gunicorn behind nginx to answer /health/live",
            timeout=45,
        )
        yield stack
    finally:
        try:
            stack.stop()
        finally:
            redis_server.stop()
            postgres.refuse()
            with psycopg.connect(admin_dsn, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
                connection.execute(f'DROP ROLE IF EXISTS "{app}", "{owner}"')
