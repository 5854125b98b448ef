"""The documented deployment runs from the example's declared dependencies alone.

What the image runs, with what the image installs: the Dockerfile's own ``uv pip install``
builds a bare virtualenv (no test tools); in it gunicorn (the image's CMD), a Celery worker
and Celery beat (docker-compose.prod.yml's commands) start with the production settings
against a new PostgreSQL database and a redis-server of the test's own. The web process
reaches the worker through the broker (the health report's Celery check), one task sent
through the broker completes, and nothing has exited when everything is stopped.

A dependency only the test tools bring (kombu's Redis transport needs ``packaging``,
which ``celery[redis]`` declares and plain ``celery`` does not) fails here.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shutil
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from prodready._ci import service_address
from tests import bare_venv
from tests.declared_imports import EXAMPLE, ROOT, load_project
from tests.deployment_files import (
    compose_command,
    compose_healthcheck,
    dockerfile,
    image_command,
    image_environment,
    image_healthcheck,
    image_install,
)
from tests.processes import Processes, answers, free_port

TASK = "school.expire_makeup_lessons"  # touches the database, harmless on an empty one


def test_dockerfile_installs_only_declared_dependencies() -> None:
    install = image_install()
    example = load_project(EXAMPLE)
    packages = sorted(path.parent for path in (ROOT / "packages").glob("*/pyproject.toml"))

    # The example's pyproject.toml is the list, and its production extra what the image adds.
    assert install.requirement_files == ["example_project/pyproject.toml"]
    assert "production" in install.extras
    for extra in install.extras:
        assert extra in example.extras, (
            f"the Dockerfile installs the example's extra {extra!r}, which it does not declare"
        )
    # The four packages from this checkout, as they are: their extras are the example's to
    # choose (in its dependencies), and nothing else comes from outside the declarations.
    for source in install.sources:
        assert re.fullmatch(r"\./packages/[a-z-]+", source), (
            f"the Dockerfile installs {source!r}, which no pyproject.toml declares: add it to "
            "example_project/pyproject.toml (dependencies, or the production extra) instead"
        )
    assert sorted(ROOT / source for source in install.sources) == packages
    # Those paths mean in the image what they mean here: copied to the same places.
    copies = [
        i.arguments.split()
        for i in dockerfile()
        if i.keyword == "COPY" and i.stage == install.stage and "--from=" not in i.arguments
    ]
    assert all(len(words) == 2 and words[0] == words[1] for words in copies), copies
    assert {"packages/", "example_project/pyproject.toml"} <= {words[0] for words in copies}


# --- the running deployment ------------------------------------------------------------------


def redis_server() -> str:
    """The redis-server binary; skip without it, or fail with PRODREADY_TEST_SERVICES=required."""
    path = shutil.which("redis-server")
    if path is None:
        problem = "redis-server is not installed (the deployment test runs a Redis of its own)"
        if os.environ.get("PRODREADY_TEST_SERVICES") == "required":
            pytest.fail(
                f"{problem}. PRODREADY_TEST_SERVICES=required: a missing tool fails the run."
            )
        pytest.skip(problem)
    return path


@pytest.fixture
def database() -> Iterator[str]:
    """A new PostgreSQL database, dropped at the end; its URL."""
    import psycopg

    host, port = service_address("requires_postgres")
    name = f"deploy_{os.getpid()}_{secrets.token_hex(3)}"
    admin = f"host={host} port={port} user=postgres dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://postgres@{host}:{port}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def health_detail(port: int, token: str) -> dict[str, Any]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/health/",
        headers={
            "Host": "localhost",
            "Authorization": f"Bearer {token}",
            "X-Forwarded-Proto": "https",
        },
    )
    try:
        response = urllib.request.urlopen(request, timeout=10)
    except urllib.error.HTTPError as error:  # 503 while a critical check fails
        response = error
    with response:
        return json.loads(response.read())


@pytest.mark.requires_postgres
def test_documented_deployment_runs_from_declared_dependencies(
    tmp_path: Path, database: str
) -> None:
    # The Dockerfile's arguments as they are: its paths are relative to the repository root.
    install = image_install()
    venv = bare_venv.create(tmp_path / "venv", *install.arguments)
    venv.assert_bare()

    for directory in ("logs", "static", "media", "backups", "prometheus", "beat"):
        (tmp_path / directory).mkdir()
    processes = Processes(tmp_path / "logs")
    redis_port, web_port = free_port(), free_port()
    token = secrets.token_urlsafe(32)
    env = venv.env(**image_environment())
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="localhost",
        DATABASE_URL=database,
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        OTP_ENCRYPTION_KEYS=base64.urlsafe_b64encode(os.urandom(32)).decode(),
        BACKUP_ENCRYPTION_KEYS=base64.b64encode(os.urandom(32)).decode(),
        HEALTH_TOKEN=token,
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        BACKUP_DIRECTORY=str(tmp_path / "backups"),
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus"),
        GUNICORN_BIND=f"127.0.0.1:{web_port}",
        GUNICORN_WORKERS="1",
    )
    web = image_command()
    worker, worker_env = compose_command("worker")
    beat, beat_env = compose_command("beat")
    code_before = code_files()
    schedule = beat.index("--schedule") + 1
    beat[schedule] = str(tmp_path / "beat" / Path(beat[schedule]).name)
    try:
        processes.start(
            "redis",
            [redis_server(), "--port", str(redis_port), "--bind", "127.0.0.1", "--save", ""],
            env,
            tmp_path,
        )
        processes.wait_for(lambda: answers(redis_port), "redis-server", timeout=15)
        migrate = venv.run("python", "manage.py", "migrate", "--noinput", cwd=EXAMPLE, **env)
        assert migrate.returncode == 0, migrate.stdout + migrate.stderr
        processes.start("web", web, env, EXAMPLE)
        processes.start("worker", worker, env | worker_env, EXAMPLE)
        processes.start("beat", beat, env | beat_env, EXAMPLE)

        # The web process pings the worker through the broker.
        def celery_check() -> dict[str, Any] | None:
            checks = {c["name"]: c for c in health_detail(web_port, token)["checks"]}
            return checks["celery"] if checks["celery"]["status"] == "ok" else None

        ping = processes.wait_for(celery_check, "the web process to reach a worker", timeout=60)
        assert ping["message"].startswith("worker celery@"), ping

        # One task through the broker, sent as an operator would, run by the worker.
        sent = venv.run("celery", "-A", "school_site", "call", TASK, cwd=EXAMPLE, **env)
        assert sent.returncode == 0, sent.stdout + sent.stderr
        task_id = sent.stdout.strip().splitlines()[-1]
        done = re.compile(rf"{re.escape(TASK)}\[{re.escape(task_id)}\] succeeded")
        processes.wait_for(
            lambda: done.search(processes.log("worker")), f"task {task_id}", timeout=30
        )

        # Beat runs, and has written the schedule file compose's health check watches.
        processes.wait_for(
            lambda: list((tmp_path / "beat").glob("*")), "beat to write its schedule", timeout=30
        )
        processes.check_running()

        # The health checks the image and compose declare pass against these processes
        # (pointed at the test's port and directory instead of the container's).
        def in_test(command: list[str]) -> list[str]:
            return [
                word.replace("127.0.0.1:8000", f"127.0.0.1:{web_port}").replace(
                    "/app/celerybeat", str(tmp_path / "beat")
                )
                for word in command
            ]

        healthchecks = {
            "image": image_healthcheck(),
            **{name: compose_healthcheck(name) for name in ("web", "worker", "beat")},
        }
        hostname = socket.gethostname()  # the worker's node name is celery@<host name>
        for name, command in healthchecks.items():
            checked = venv.run(*in_test(command), cwd=EXAMPLE, **env, HOSTNAME=hostname)
            assert checked.returncode == 0, (name, checked.stdout + checked.stderr)
    finally:
        processes.stop()
        written = sorted(code_files() - code_before)
        for path in written:
            path.unlink()
    # In the image the code directory (/app) belongs to root: writing there fails.
    assert not written, f"the processes wrote into the code directory: {written}"
    # And the web's health checks fail once it is gone.
    for name in ("image", "web"):
        checked = venv.run(*in_test(healthchecks[name]), cwd=EXAMPLE, **env)
        assert checked.returncode != 0, f"{name}'s health check passes with no web process"


def code_files() -> set[Path]:
    return {path for path in EXAMPLE.rglob("*") if "__pycache__" not in path.parts}
