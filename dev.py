#!/usr/bin/env python3
"""Run a developer workflow with nothing installed but Python 3.11+.

    python3 dev.py demo     # the example project on http://127.0.0.1:8000 (--port N)
    python3 dev.py test     # the whole test suite
    python3 dev.py lint     # any other nox session: typecheck, e2e, bench, build, ...

The first run creates .venv/ with nox and uv; nox then makes one virtualenv per
session under .nox/. Arguments after the session go to nox (`dev.py test -- -x`);
`dev.py --list` lists the sessions.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
REQUIREMENT = "nox[uv]>=2025.2.9"
STAMP = VENV / "dev-requirement.txt"  # what .venv was set up with; change it to re-install
ALIASES = {"test": "tests"}
# Sessions whose own options need no `--` before them: `dev.py demo --port 8001`.
OWN_OPTIONS = {"demo"}


def ensure_nox() -> Path:
    python = PYTHON
    if STAMP.exists() and STAMP.read_text() == REQUIREMENT and python.exists():
        return python
    print(f"Setting up {VENV.name}/ with {REQUIREMENT} (first run only)...", flush=True)
    for command in (
        [sys.executable, "-m", "venv", "--clear", str(VENV)],
        [str(python), "-m", "pip", "install", "--quiet", REQUIREMENT],
    ):
        if subprocess.run(command).returncode != 0:
            sys.exit(f"Could not set up {VENV.name}/: {' '.join(command)} failed (see above).")
    STAMP.write_text(REQUIREMENT)
    return python


def nox_command(python: Path, argv: list[str]) -> list[str]:
    """The nox command line for ``dev.py ARGV``."""
    session, *rest = argv
    command = [str(python), "-m", "nox", "-f", str(ROOT / "noxfile.py")]
    if session.startswith("-"):  # `dev.py --list` and other options go to nox as they are
        return command + argv
    session = ALIASES.get(session, session)
    if session in OWN_OPTIONS and rest and "--" not in rest:
        rest = ["--", *rest]
    return [*command, "-s", session, *rest]


def main(argv: list[str]) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 (dev.py runs on whatever python3 is at hand)
        sys.exit("django-prodready needs Python 3.11 or newer.")
    if not argv:
        sys.exit(__doc__)
    command = nox_command(ensure_nox(), argv)
    # Use the interpreters on this machine; never let uv download one.
    env = os.environ | {"UV_PYTHON_DOWNLOADS": "never"}
    if os.name == "nt":
        sys.exit(subprocess.run(command, env=env).returncode)
    os.execve(command[0], command, env)


if __name__ == "__main__":
    main(sys.argv[1:])
