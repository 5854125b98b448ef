"""The boundary sweep of ``test_adversarial_input`` again, with the site on PostgreSQL.

Production runs on PostgreSQL, which refuses what SQLite keeps (a NUL in text, in a
filter as in a row), so a view can answer 500 there only. The sweep runs in a pytest of
its own, as the test database is chosen once per run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from prodready._ci import service_address

EXAMPLE = Path(__file__).resolve().parent.parent
CONFIG = EXAMPLE.parent / "pyproject.toml"

pytestmark = pytest.mark.requires_postgres


def test_every_boundary_value_on_postgresql() -> None:
    host, port = service_address("requires_postgres")
    user = os.environ.get("PRODREADY_TEST_POSTGRES_USER", "postgres")
    env = {**os.environ, "DATABASE_URL": f"postgres://{user}@{host}:{port}/postgres"}
    command = [sys.executable, "-m", "pytest", "-c", str(CONFIG), "--rootdir", "."]
    command += [
        "-q",
        "-p",
        "no:cacheprovider",
        "-k",
        "boundary",
        "tests/test_adversarial_input.py",
    ]
    completed = subprocess.run(
        command, cwd=EXAMPLE, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    assert completed.returncode == 0, completed.stdout[-6000:] + completed.stderr[-2000:]
