"""A new user adopting one package, following its README's Installation section literally.

For each package: a bare virtualenv with Django, core and that package only; a project
from ``django-admin startproject``; then the README's "## Installation" section (up to
the next heading), step by step. It is written to be followed by a machine as well as by
a person:

- every ``pip install`` line of a ``console`` block names the package (the test installs
  it, with the extras the line asks for, from the source tree or a built wheel);
- every ``python`` block starts with ``# settings.py`` or ``# urls.py`` and is appended,
  as it is, to the end of that file of the new project (the settings' one
  ``INSTALLED_APPS`` line first, alone, and ``migrate`` run: adding the app must never
  stop it);
- every ``python manage.py ...`` line of a ``console`` block is run, in order, and must
  succeed without a traceback and with nothing on stderr.

Anything else in a block of that section fails the run, so README and test cannot drift
apart. Then ``manage.py check --deploy`` (Django's own deploy warnings are expected from
startproject's settings; the packages may add warnings for what is not configured yet,
each with a hint, never an error) and a visit: ``/ops/`` sends an anonymous visitor to a
login page that exists, the health endpoints answer, the plugin is registered and the
readiness report runs.

Run by ``tests/test_adoption.py`` on the source tree, and by ``nox -s build`` on the
built wheels: ``python tests/adoption.py --uv UV --wheels DIST``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {
    "django-prodready-core": "prodready",
    "django-prodready-security": "prodready_security",
    "django-prodready-backup": "prodready_backup",
    "django-prodready-observability": "prodready_observability",
}
CORE = "django-prodready-core"
FILES = {"# settings.py": "settings.py", "# urls.py": "urls.py"}
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
CHECK_MESSAGE = re.compile(r"^\S*: \((?P<id>[\w.]+)\) ", re.M)
# Environment of the test process that must not leak into the new project's commands.
LEAKS = ("DJANGO_SETTINGS_MODULE", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
# What the visit checks, run inside the project with its own settings.
VISIT = """
import json, os
from io import StringIO
os.environ["DJANGO_SETTINGS_MODULE"] = "mysite.settings"
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from prodready.plugins import plugin_infos
client = Client(HTTP_HOST="localhost")  # DEBUG with no ALLOWED_HOSTS allows localhost
ops = client.get("/ops/", follow=True)
report = StringIO()
call_command("prodready", "check", "--format", "json", stdout=report)
print(json.dumps({
    "apps": [app for app in settings.INSTALLED_APPS if not app.startswith("django.")],
    "plugins": [info.name for info in plugin_infos()],
    "ops": [[url, code] for url, code in ops.redirect_chain] + [[None, ops.status_code]],
    "live": client.get("/health/live").status_code,
    "ready": client.get("/health/ready").status_code,
    "score": json.loads(report.getvalue())["score"],
}))
"""


class AdoptionError(AssertionError):
    """A step of the README failed; the message says which and shows its output."""


@dataclass
class Installation:
    """The README's Installation section, as steps."""

    requirements: list[str] = field(default_factory=list)  # as written after pip install
    appended: dict[str, str] = field(default_factory=dict)  # file name -> code
    commands: list[list[str]] = field(default_factory=list)  # manage.py arguments


def installation(distribution: str, readme: str | None = None) -> Installation:
    """The steps of ``distribution``'s README (or of ``readme``, its text)."""
    if readme is None:
        readme = (ROOT / "packages" / distribution / "README.md").read_text()
    match = re.search(r"^## Installation\n(.*?)(?=^##+ |\Z)", readme, re.M | re.S)
    if match is None:
        raise AdoptionError(f"{distribution}'s README has no '## Installation' section.")
    steps = Installation()
    for language, body in BLOCK.findall(match.group(1)):
        if language == "console":
            for line in filter(None, (line.strip() for line in body.splitlines())):
                words = shlex.split(line, comments=True)
                if words[:2] == ["pip", "install"]:
                    steps.requirements += words[2:]
                elif words[:2] == ["python", "manage.py"]:
                    steps.commands.append(words[2:])
                elif words:
                    raise AdoptionError(f"{distribution}: a step no one can follow: {line!r}")
        elif language == "python":
            marker, _, code = body.partition("\n")
            if marker not in FILES:
                raise AdoptionError(
                    f"{distribution}: a python block of the Installation section must start "
                    f"with one of {', '.join(FILES)} to say where it goes; found {marker!r}."
                )
            steps.appended[FILES[marker]] = steps.appended.get(FILES[marker], "") + code
        else:
            raise AdoptionError(f"{distribution}: a {language or 'plain'} block in Installation.")
    names = [re.split(r"[\[<>=!~; ]", r, maxsplit=1)[0] for r in steps.requirements]
    if names != [distribution]:
        raise AdoptionError(f"{distribution}: pip install names {names}, not the package.")
    if not steps.commands:
        raise AdoptionError(f"{distribution}: the Installation section runs no command.")
    return steps


@dataclass
class Project:
    directory: Path
    python: Path
    env: dict[str, str]

    def append(self, name: str, code: str) -> None:
        path = self.directory / "mysite" / name
        path.write_text(f"{path.read_text()}\n{code}")

    def manage(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        return run([str(self.python), "manage.py", *arguments], self.directory, self.env)


def run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def require(ok: bool, what: str, done: subprocess.CompletedProcess[str] | None = None) -> None:
    if not ok:
        output = f"\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}" if done else ""
        raise AdoptionError(f"{what}{output}")


def make_project(
    uv: str, python: str, work: Path, distribution: str, sources: dict[str, Path], django: str
) -> tuple[Project, Installation]:
    """A virtualenv with Django, core and the package only, and a new startproject site."""
    steps = installation(distribution)
    venv = work / "venv"
    env = {k: v for k, v in os.environ.items() if k not in LEAKS}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    done = run([uv, "venv", "--quiet", f"--python={python}", str(venv)], work, env)
    require(done.returncode == 0, "uv venv failed", done)
    wanted = [f"Django{django}", f"{CORE} @ {sources[CORE].as_uri()}"]
    for requirement in steps.requirements:  # the README's, with the extras it asks for
        extras = re.search(r"\[[^\]]*\]", requirement)
        wanted.append(
            f"{distribution}{extras[0] if extras else ''} @ {sources[distribution].as_uri()}"
        )
    install = [uv, "pip", "install", "--quiet", f"--python={venv}", *dict.fromkeys(wanted)]
    done = run(install, work, env)
    require(done.returncode == 0, f"installing {distribution} failed", done)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    directory = work / "project"
    directory.mkdir()
    done = run(
        [str(bin_dir / "django-admin"), "startproject", "mysite", str(directory)], work, env
    )
    require(done.returncode == 0, "startproject failed", done)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return Project(directory, bin_dir / "python", env), steps


@dataclass(frozen=True)
class Seen:
    """What following the README led to."""

    deploy_warnings: list[str]  # ids of the packages' warnings in check --deploy
    login_page: str  # where /ops/ sent an anonymous visitor
    score: float  # the readiness report's


def follow(project: Project, distribution: str, steps: Installation) -> Seen:
    """Apply the README's steps, then check --deploy and visit the site."""
    # The moment the app is added, before any other setting: migrate works (what is not
    # configured yet may be warned about, nothing may be an error).
    settings = steps.appended["settings.py"].splitlines(keepends=True)
    apps = [line for line in settings if line.startswith("INSTALLED_APPS")]
    require(len(apps) == 1, f"{distribution}: one INSTALLED_APPS line expected, found {apps}")
    project.append("settings.py", apps[0])
    done = project.manage("migrate")
    require(done.returncode == 0, "migrate failed with nothing but the app added", done)
    require("Traceback" not in done.stdout + done.stderr, "migrate printed a traceback", done)
    project.append("settings.py", "".join(line for line in settings if line not in apps))
    project.append("urls.py", steps.appended["urls.py"])
    for arguments in steps.commands:
        done = project.manage(*arguments)
        shown = f"manage.py {' '.join(arguments)}"
        require(done.returncode == 0, f"{shown} exited with {done.returncode}", done)
        require("Traceback" not in done.stdout + done.stderr, f"{shown} printed a traceback", done)
        require(not done.stderr.strip(), f"{shown} wrote to stderr", done)
    return Seen(deploy_warnings(project), *visit(project, PACKAGES[distribution]))


def deploy_warnings(project: Project) -> list[str]:
    """The packages' ids in check --deploy: warnings with a hint each, never an error."""
    done = project.manage("check", "--deploy")
    require(done.returncode == 0, "check --deploy found errors", done)
    output = done.stdout + done.stderr
    ours = [m for m in CHECK_MESSAGE.finditer(output) if m["id"].startswith("prodready")]
    for message in ours:
        following = output[message.end() :].split("\n?: ", 1)[0]
        require("HINT:" in following, f"{message['id']} names no fix", done)
    return sorted({message["id"] for message in ours})


def visit(project: Project, app: str) -> tuple[str, float]:
    done = run([str(project.python), "-c", VISIT], project.directory, project.env)
    require(done.returncode == 0, "the visit failed", done)
    # Failing health checks are logged, as a server should (a new project has no beat,
    # no backup yet): the log may have lines, never a traceback.
    require("Traceback" not in done.stderr, "the visit logged a traceback", done)
    seen = json.loads(done.stdout)
    require(
        seen["apps"] == list(dict.fromkeys(["prodready", app])),
        f"INSTALLED_APPS beyond Django's are {seen['apps']}, not core and {app} alone",
    )
    require(app in seen["plugins"], f"{app} is not a registered plugin: {seen['plugins']}")
    *redirects, (_, status) = seen["ops"]
    require(
        bool(redirects) and status == 200,
        f"/ops/ did not lead an anonymous visitor to a login page: {seen['ops']}",
    )
    require(seen["live"] == 200, f"/health/live answered {seen['live']}")
    require(seen["ready"] == 200, f"/health/ready answered {seen['ready']}")
    return str(redirects[-1][0]), float(seen["score"])


def adopt(
    uv: str, python: str, distribution: str, sources: dict[str, Path], django: str, work: Path
) -> Seen:
    """Follow ``distribution``'s README in a new project under ``work``; what was seen.

    ``sources`` maps core and the package to a source directory or a wheel; ``django``
    is a version specifier such as ``"==5.2.1"`` (``""``: what core allows).
    """
    project, steps = make_project(uv, python, work, distribution, sources, django)
    return follow(project, distribution, steps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uv", required=True, help="the uv executable")
    parser.add_argument("--wheels", type=Path, required=True, help="a directory of wheels")
    options = parser.parse_args()
    sources = {}
    for distribution in PACKAGES:
        prefix = distribution.replace("-", "_") + "-"
        (wheel,) = sorted(options.wheels.glob(f"{prefix}*.whl"))
        sources[distribution] = wheel.resolve()
    for distribution in PACKAGES:
        with tempfile.TemporaryDirectory() as work:
            seen = adopt(options.uv, sys.executable, distribution, sources, "", Path(work))
        warned = ", ".join(seen.deploy_warnings) or "nothing"
        print(
            f"{distribution}: its README's Installation works on a new startproject "
            f"site; check --deploy warns of {warned}"
        )


if __name__ == "__main__":
    main()
