"""dev.py hands each session its arguments: `python3 dev.py demo --port 8001`."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEV_VENV_PYTHON = ROOT / ".venv" / "bin" / "python"  # made by dev.py, with nox in it


def load_dev() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dev", ROOT / "dev.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("argv", "tail"),
    [
        (["demo", "--port", "8001"], ["-s", "demo", "--", "--port", "8001"]),
        (["demo", "--", "--port", "8001"], ["-s", "demo", "--", "--port", "8001"]),
        (["demo"], ["-s", "demo"]),
        (["test", "--", "-x"], ["-s", "tests", "--", "-x"]),  # nox's own options stay nox's
        (["lint", "-r"], ["-s", "lint", "-r"]),
        (["--list"], ["--list"]),
    ],
)
def test_dev_py_passes_the_demo_its_own_options(argv: list[str], tail: list[str]) -> None:
    command = load_dev().nox_command(Path("python"), argv)
    assert command[:3] == ["python", "-m", "nox"]
    assert command[5:] == tail


def demo_arguments(posargs: list[str]) -> object:
    """noxfile.demo_arguments(posargs), run where nox is installed (dev.py's .venv)."""
    if not DEV_VENV_PYTHON.exists():
        pytest.skip("no .venv/ with nox: run the tests through `python3 dev.py test`")
    script = (
        "import json, runpy, sys\n"
        "ns = runpy.run_path('noxfile.py')\n"
        "try:\n"
        "    print(json.dumps(ns['demo_arguments'](sys.argv[1:])))\n"
        "except ValueError as exc:\n"
        "    print(json.dumps(str(exc)))\n"
    )
    run = subprocess.run(
        [str(DEV_VENV_PYTHON), "-c", script, *posargs],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(run.stdout)


@pytest.mark.parametrize(
    ("posargs", "expected"),
    [
        ([], [8000, []]),
        (["--port", "8001"], [8001, []]),
        (["--port=9000", "--noreload"], [9000, ["--noreload"]]),
        (
            ["--port", "0"],
            "--port takes a port number from 1 to 65535, such as --port 8001; found '0'.",
        ),
        (
            ["--port", "eighty"],
            "--port takes a port number from 1 to 65535, such as --port 8001; found 'eighty'.",
        ),
        (["--port"], "--port takes a port number from 1 to 65535, such as --port 8001; found ''."),
    ],
)
def test_the_demo_session_reads_its_port(posargs: list[str], expected: object) -> None:
    assert demo_arguments(posargs) == expected


def test_a_bad_port_stops_the_demo_with_the_fix_before_anything_is_installed() -> None:
    if not DEV_VENV_PYTHON.exists():
        pytest.skip("no .venv/ with nox: run the tests through `python3 dev.py test`")
    run = subprocess.run(
        [sys.executable, str(ROOT / "dev.py"), "demo", "--port", "eighty"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 1
    assert "--port takes a port number from 1 to 65535, such as --port 8001" in run.stderr
    assert "Traceback" not in run.stderr
    assert "pip install" not in run.stderr  # it stopped before installing the suite
