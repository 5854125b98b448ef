"""Developer workflows. Run them with `python3 dev.py <session>` or `nox -s <session>`.

Sessions use the interpreter nox runs with, e2e the production image's; tox.ini holds the
Python x Django matrix.
"""

from __future__ import annotations

import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import nox
from nox.command import CommandFailed

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["lint", "typecheck", "tests"]

ROOT = Path(__file__).resolve().parent
CONFIG = str(ROOT / "pyproject.toml")
PACKAGES = [
    ROOT / "packages" / f"django-prodready-{name}"
    for name in ("core", "security", "backup", "observability")
]
EXAMPLE = ROOT / "example_project"
BROWSER_TESTS = EXAMPLE / "tests" / "browser"
PYPROJECT = nox.project.load_toml(CONFIG)


def group(name: str) -> tuple[str, ...]:
    return nox.project.dependency_groups(PYPROJECT, name)


def install_suite(session: nox.Session, *extra: str, example: bool = True) -> None:
    """Install the four packages (and the example project, unless told not to) editable."""
    projects = [*PACKAGES, EXAMPLE] if example else PACKAGES
    session.install(*(arg for path in projects for arg in ("-e", str(path))), *extra)


def pytest_in(session: nox.Session, directory: Path, report: Path, *args: str) -> bool:
    """Run the tests of one directory under coverage; False if they failed or none ran."""
    command = ["coverage", "run", f"--rcfile={CONFIG}", "-m", "pytest"]
    command += ["-c", CONFIG, "--rootdir", ".", f"--junitxml={report}", *args]
    with session.chdir(directory):
        try:
            session.run(*command)
        except CommandFailed as failure:
            if failure.return_code == 5:
                session.warn(f"No tests ran in {tests_of(directory)}.")
            return False
    return True


def tests_of(directory: Path) -> str:
    return f"{directory.relative_to(ROOT).as_posix()}/tests".removeprefix("./")


def totals(reports: list[Path]) -> str:
    """One line over every pytest run, from their JUnit XML reports."""
    count = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for report in reports:
        for suite in ET.parse(report).getroot().iter("testsuite"):
            for key in count:
                count[key] += int(suite.get(key, 0))
    failed = count["failures"] + count["errors"]
    passed = count["tests"] - failed - count["skipped"]
    return f"{passed} passed, {failed} failed, {count['skipped']} skipped"


@nox.session
def tests(session: nox.Session) -> None:
    """Every package's tests, the example project's, then the repository-wide ones."""
    install_suite(session, *test_requirements(session))
    ensure_gettext(session)
    ensure_deployment_tools(session)
    session.env["COVERAGE_FILE"] = str(ROOT / ".coverage")
    session.run("coverage", "erase", f"--rcfile={CONFIG}")
    directories = [*PACKAGES]
    if any(EXAMPLE.glob("tests/test_*.py")):
        directories.append(EXAMPLE)
    else:
        session.warn("example_project/ has no tests yet.")
    directories.append(ROOT)
    # Not session.create_tmp(): it points TMPDIR into the repository, where pytest
    # runs started by tests (pytester) would pick up this repository's pytest config.
    reports_dir = Path(session.virtualenv.location, "junit")
    shutil.rmtree(reports_dir, ignore_errors=True)
    failed = []
    for number, directory in enumerate(directories):
        report = reports_dir / f"{number}-{directory.name}.xml"
        # Core's MySQL tests run in a pass of their own (below): left out, not skipped, here.
        marks = "not browser and not requires_mysql" if directory == PACKAGES[0] else "not browser"
        if not pytest_in(session, directory, report, "-m", marks, *session.posargs):
            failed.append(tests_of(directory))
    # Core's MySQL tests need an alias that its other tests, which judge every alias, must
    # not see: a run of their own with settings that add it.
    report = reports_dir / f"{len(directories)}-core-mysql.xml"
    with_mysql = ("--ds=tests.settings_mysql", "-m", "requires_mysql and not browser")
    if not pytest_in(session, PACKAGES[0], report, *with_mysql, *session.posargs):
        failed.append(f"{tests_of(PACKAGES[0])} (MySQL)")
    # Coverage is for reading; a run that left no data must not hide the failures below.
    session.run("coverage", "combine", "--quiet", f"--rcfile={CONFIG}", success_codes=[0, 1])
    session.run("coverage", "report", f"--rcfile={CONFIG}", success_codes=[0, 1])
    print(f"tests: {totals(sorted(reports_dir.glob('*.xml')))}")
    if failed:
        session.error(f"Tests failed in: {', '.join(failed)}")


def ensure_gettext(session: nox.Session) -> None:
    """msgfmt and xgettext (Debian's gettext) for tests/test_translations.py.

    On CI (CI=true) they are installed when missing; elsewhere their tests skip without
    them, unless PRODREADY_TEST_SERVICES=required makes a missing tool fail.
    """
    if shutil.which("msgfmt") and shutil.which("xgettext"):
        return
    if os.environ.get("CI") != "true":
        session.warn("gettext is missing (apt-get install gettext): its tests will skip.")
        return
    apt_install(session, "gettext", why="the translation tests")


def test_requirements(session: nox.Session) -> tuple[str, ...]:
    """The test group; mysqlclient only where it can be built (Debian's libmariadb-dev).

    On CI the headers are installed when missing; elsewhere, without them, mysqlclient is
    left out and the MySQL/MariaDB tests skip (or fail, with PRODREADY_TEST_SERVICES=required).
    """
    requirements = group("test")
    if shutil.which("mariadb_config") or shutil.which("mysql_config"):
        return requirements
    if os.environ.get("CI") == "true":
        apt_install(session, "libmariadb-dev", "pkg-config", why="mysqlclient (MySQL tests)")
        return requirements
    session.warn("libmariadb-dev is missing (apt-get install libmariadb-dev pkg-config): "
                 "mysqlclient is not installed and the MySQL tests will skip.")  # fmt: skip
    return tuple(r for r in requirements if not r.startswith("mysqlclient"))


def apt_install(session: nox.Session, *packages: str, why: str) -> None:
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    session.log(f"Installing {' '.join(packages)} for {why} (apt-get install)")
    session.run(*sudo, "apt-get", "update", "-qq", external=True)
    session.run(
        *(*sudo, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-qq"),
        *("--no-install-recommends", *packages),
        external=True,
    )


# The deployment files' tests run these (Debian's nginx, prometheus, prometheus-alertmanager).
DEPLOYMENT_TOOLS = {
    "nginx": "nginx",
    "promtool": "prometheus",
    "prometheus": "prometheus",
    "amtool": "prometheus-alertmanager",
}
# Daemons an install may start: stopped again if they were not running before it.
DAEMONS = (
    ["pgrep", "-x", "nginx"],
    ["pgrep", "-x", "prometheus"],
    ["pgrep", "-f", "^/usr/bin/prometheus-alertmanager"],
)


def ensure_deployment_tools(session: nox.Session) -> None:
    """nginx, promtool, prometheus and amtool for example_project's deployment tests.

    On CI (CI=true) the missing ones are installed, as .ci/run does, and any daemon the
    install started is stopped (only those); elsewhere their tests skip without them.
    """
    path = f"{os.environ.get('PATH', '')}{os.pathsep}/usr/sbin"
    missing = sorted(
        {pkg for tool, pkg in DEPLOYMENT_TOOLS.items() if not shutil.which(tool, path=path)}
    )
    if not missing:
        return
    if os.environ.get("CI") != "true":
        session.warn(f"Missing {', '.join(missing)} (apt-get install): their tests will skip.")
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    before = _daemon_pids()
    session.log(f"Installing {' '.join(missing)} for the deployment tests")
    session.run(*sudo, "apt-get", "update", "-qq", external=True)
    session.run(
        *(*sudo, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-qq"),
        *missing,
        external=True,
    )
    for pid in sorted(_daemon_pids() - before):
        session.run(*sudo, "kill", pid, external=True, success_codes=[0, 1])


def _daemon_pids() -> set[str]:
    import subprocess

    found: set[str] = set()
    for command in DAEMONS:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        found.update(result.stdout.split())
    return found


@nox.session
def demo(session: nox.Session) -> None:
    """The example project on http://127.0.0.1:8000, on SQLite with no services.

    Migrates, fills in demo data (seed_demo), prints a staff login, runs the server.
    `--port N` serves on another port; other arguments go to runserver.
    """
    if not (EXAMPLE / "manage.py").exists():
        session.error("example_project/ is missing its manage.py.")
    try:
        port, runserver_args = demo_arguments(session.posargs)
    except ValueError as exc:
        session.error(str(exc).rstrip("."))  # nox adds its own full stop
    install_suite(session)
    with session.chdir(EXAMPLE):
        session.run("python", "manage.py", "migrate", "--noinput")
        # Tutors, students, lessons and invoices to look at (an earlier run's are kept).
        session.run("python", "manage.py", "seed_demo", "--keep-existing")
        session.run("python", "manage.py", "demo_user", f"--site-url=http://127.0.0.1:{port}")
        session.run("python", "manage.py", "runserver", f"127.0.0.1:{port}", *runserver_args)


def demo_arguments(posargs: list[str]) -> tuple[int, list[str]]:
    """The port of `--port N` or `--port=N` (default 8000), and the other arguments."""
    port, rest = "8000", []
    arguments = iter(posargs)
    for argument in arguments:
        if argument == "--port":
            port = next(arguments, "")
        elif argument.startswith("--port="):
            port = argument.removeprefix("--port=")
        else:
            rest.append(argument)
    if not (port.isdigit() and 1 <= int(port) <= 65535):
        raise ValueError(
            f"--port takes a port number from 1 to 65535, such as --port 8001; found {port!r}."
        )
    return int(port), rest


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check over the whole repository."""
    session.install(*group("lint"))
    session.run("ruff", "check", *session.posargs, ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy, strict, with django-stubs (files listed in pyproject.toml)."""
    # Not the example project: its editable install puts example_project/ on sys.path,
    # where its tests package would shadow the repository's tests.settings (used by
    # the django-stubs plugin).
    install_suite(session, *group("typecheck"), example=False)
    session.run("mypy", *session.posargs)


def pyenv_or(version: str) -> str:
    """pyenv's newest install of Python ``version`` if it has one, else ``version`` itself.

    nox finds interpreters on PATH and the versions pyenv has active; this also finds one
    installed with pyenv but not activated (``pyenv global 3.11.7`` alone), as on CI machines.
    """
    versions = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    patches = [
        int(match[1])
        for path in versions.glob(f"{version}.*")
        if (match := re.fullmatch(rf"{re.escape(version)}\.(\d+)", path.name))
    ]
    if not patches:
        return version
    return str(versions / f"{version}.{max(patches)}" / "bin" / f"python{version}")


# The browser tests run what the production image runs (example_project/Dockerfile's
# PYTHON_VERSION), so Django 6, whose Content-Security-Policy header they check pages under.
PRODUCTION_PYTHON = "3.12"


@nox.session(python=pyenv_or(PRODUCTION_PYTHON))
def e2e(session: nox.Session) -> None:
    """Browser tests of the example project (tests marked `browser`), in headless Chromium.

    They run on Python 3.12 (as the production image) with the production settings
    (tests/browser/settings.py): PostgreSQL, Redis, collected static files and the CSP.
    Playwright drives an installed Chromium ($PRODREADY_TEST_CHROMIUM, by default
    /usr/bin/chromium from `apt-get install chromium`); without it, PostgreSQL or Redis
    the tests skip, or fail under PRODREADY_TEST_SERVICES=required.
    """
    if not BROWSER_TESTS.is_dir():
        session.skip("No browser tests yet: they arrive with the example project's own issue")
    # Django's own CSP middleware is 6.0+; the image resolves the newest Django as well.
    install_suite(session, "Django>=6.0", *test_requirements(session), *group("e2e"))
    with session.chdir(EXAMPLE):
        session.run(
            *("pytest", "-c", CONFIG, "--rootdir", ".", "--ds", "tests.browser.settings"),
            *("-m", "browser", *session.posargs),
        )


@nox.session
def docs(session: nox.Session) -> None:
    """Write docs/settings.md from the docstrings of every package's conf.py."""
    install_suite(session, example=False)
    session.run("python", str(ROOT / "tests" / "settings_doc.py"))


@nox.session
def bench(session: nox.Session) -> None:
    """Run every benchmarks/*.py in order; each prints its ratio against a baseline."""
    scripts = sorted((ROOT / "benchmarks").glob("*.py"))
    if not scripts:
        session.skip("benchmarks/ holds no scripts yet")
    install_suite(session, *test_requirements(session), *group("bench"))
    for script in scripts:
        session.run("python", str(script), *session.posargs)


@nox.session
def build(session: nox.Session) -> None:
    """Wheel and sdist of every package, checked; then each wheel installed alone with core.

    tests/test_adoption.py, given the wheels, installs each one with core and Django alone
    in a bare virtualenv, follows its README's Installation section in a new startproject
    site and imports every module there.
    """
    session.install(*group("build"))
    dist = ROOT / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    for package in PACKAGES:
        session.run("python", "-m", "build", "--installer=uv", f"--outdir={dist}", str(package))
    session.run("twine", "check", "--strict", *map(str, sorted(dist.iterdir())))

    install_suite(session, *test_requirements(session), example=False)
    with session.chdir(ROOT):
        session.run(
            *("python", "-m", "pytest", "-c", CONFIG, "--rootdir", "."),
            "tests/test_adoption.py",
            *session.posargs,
            env={"PRODREADY_TEST_DIST": str(dist)},
        )
