"""Virtualenvs holding only what a project declares: no test tools, nothing inherited.

The one place that makes them (uv, with its cache): ``test_adoption.py`` installs each
package alone with core and Django, ``test_deployment.py`` the example's production
dependencies. Local packages are installed from their directories, or, with
``PRODREADY_TEST_DIST`` set to a folder of built wheels (``nox -s build``), from those
wheels.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.declared_imports import ROOT, normalize, projects, requirement_name

# Creating a virtualenv and installing into it from uv's cache takes seconds; a cold
# cache downloads, which may take a minute on a slow network.
INSTALL_TIMEOUT = 240
RUN_TIMEOUT = 120
# Variables a bare process may keep: nothing that points at the test run's virtualenv
# (PATH, VIRTUAL_ENV, PYTHONPATH) or configures Django, Celery or the packages.
KEPT_VARIABLES = ("LANG", "LC_ALL", "TMPDIR")


def uv() -> str:
    """uv from the test dependencies (the ``uv`` distribution ships the binary)."""
    from uv import find_uv_bin

    return find_uv_bin()


def unwanted_tools() -> set[str]:
    """Distributions of the test dependency group that no project declares."""
    workspace = tomllib.loads((ROOT / "pyproject.toml").read_text())
    tools = {requirement_name(r) for r in workspace["dependency-groups"]["test"]}
    for project in projects():
        tools -= project.dependencies | set().union(*project.extras.values())
    return tools


def package_source(name: str) -> str:
    """How to install the local distribution ``name``: its directory, or its built wheel."""
    dist = os.environ.get("PRODREADY_TEST_DIST")
    directory = ROOT / "packages" / name
    if not dist:
        return str(directory)
    stem = normalize(name).replace("-", "_")
    wheels = sorted(Path(dist).glob(f"{stem}-*.whl"))
    assert len(wheels) == 1, f"expected one {stem} wheel in PRODREADY_TEST_DIST={dist}: {wheels}"
    return str(wheels[0])


def requirement(name: str, extras: str = "") -> str:
    """``name`` (with ``extras``, such as ``"[s3]"``) as a requirement on its local source."""
    return f"{name}{extras} @ {Path(package_source(name)).resolve().as_uri()}"


@dataclass
class BareVenv:
    path: Path
    home: Path

    @property
    def python(self) -> str:
        return str(self.path / "bin" / "python")

    def env(self, **variables: str) -> dict[str, str]:
        """A clean environment: this virtualenv's bin first, then the system's."""
        kept = {name: os.environ[name] for name in KEPT_VARIABLES if name in os.environ}
        path = os.pathsep.join([str(self.path / "bin"), "/usr/local/bin", "/usr/bin", "/bin"])
        # A HOME of its own: gunicorn puts its control socket there.
        return kept | {"PATH": path, "HOME": str(self.home)} | variables

    def run(
        self, *command: str, cwd: Path = ROOT, timeout: float = RUN_TIMEOUT, **variables: str
    ) -> subprocess.CompletedProcess[str]:
        """Run ``command`` (``python``, ``celery``: this virtualenv's) and return its output."""
        return subprocess.run(
            command,
            cwd=cwd,
            env=self.env(**variables),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def installed(self) -> set[str]:
        result = self.run(
            "python",
            "-c",
            "from importlib.metadata import distributions as d; "
            "print('\\n'.join(x.metadata['Name'] for x in d()))",
        )
        assert result.returncode == 0, result.stderr
        return {normalize(name) for name in result.stdout.split()}

    def assert_bare(self) -> None:
        """Nothing from the test tools is there: what runs here runs on declarations alone."""
        leaked = self.installed() & unwanted_tools()
        assert not leaked, f"test tools in the bare virtualenv: {sorted(leaked)}"
        result = self.run("python", "-c", "import pytest")
        assert "No module named 'pytest'" in result.stderr, result.stdout + result.stderr


def create(path: Path, *install: str) -> BareVenv:
    """A new virtualenv at ``path`` with ``uv pip install *install``, run at the root."""
    venv = BareVenv(path, home=path.with_name(f"{path.name}-home"))
    venv.home.mkdir()
    steps = [
        [uv(), "venv", "--quiet", "--python", sys.executable, str(path)],
        [uv(), "pip", "install", "--quiet", "--python", venv.python, *install],
    ]
    # uv keeps its settings, cache and index (UV_*, HOME): only the target is ours.
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    for step in steps:
        try:
            result = subprocess.run(
                step, cwd=ROOT, env=env, capture_output=True, text=True, timeout=INSTALL_TIMEOUT
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"`{' '.join(step)}` took more than {INSTALL_TIMEOUT} s")
        if result.returncode != 0:
            pytest.fail(f"`{' '.join(step)}` failed:\n{result.stdout}{result.stderr}")
    return venv
