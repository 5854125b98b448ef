"""A new user adopting one package, following its README's Installation section literally.

For each package: a bare virtualenv (``bare_venv``) with Django, core and that package
only, from the source tree or, with ``PRODREADY_TEST_DIST``, the built wheels; a project
from ``django-admin startproject``; then the README's "## Installation" section (up to
the next heading), step by step. It is written to be followed by a machine as well as by
a person:

- every ``pip install`` line of a ``console`` block names the package (the test installs
  it, with the extras the line asks for);
- every ``python`` block starts with ``# settings.py`` or ``# urls.py`` and is appended,
  as it is, to the end of that file of the new project (the settings' one
  ``INSTALLED_APPS`` line first, alone, and ``migrate`` run: adding the app must never
  stop it);
- every ``python manage.py ...`` line of a ``console`` block is run, in order, and must
  succeed without a traceback and with nothing on stderr.

Anything else in a block of that section fails the run, so README and test cannot drift
apart. Then ``manage.py check --deploy`` (Django's own deploy warnings are expected from
startproject's settings; the packages may add warnings for what is not configured yet,
each with a hint, never an error) and a visit: every module of the package that needs no
extra imports (an import the package does not declare fails here, as it would for a
user), ``/ops/`` sends an anonymous visitor to a login page that exists, the health
endpoints answer, the plugin is registered and the readiness report runs.

Run by ``tests/test_adoption.py``, on the source tree in ``nox -s tests`` and on the
built wheels in ``nox -s build``.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tests import bare_venv

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
STARTPROJECT_ERRORS = {"mail.E001"}
CHECK_MESSAGE = re.compile(r"^\S*: \((?P<id>[\w.]+)\) ", re.M)
# What the visit checks, run inside the project with its own settings; the modules to
# import are its arguments.
VISIT = """
import json, os, sys
from importlib import import_module
from io import StringIO
os.environ["DJANGO_SETTINGS_MODULE"] = "mysite.settings"
import django
django.setup()
for module in sys.argv[1:]:
    import_module(module)
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from prodready.plugins import plugin_infos
client = Client(HTTP_HOST="localhost")  # DEBUG with no ALLOWED_HOSTS allows localhost
ops = client.get("/ops/", follow=True)
report = StringIO()
call_command("prodready", "check", "--format", "json", stdout=report)
apps = [app for app in settings.INSTALLED_APPS if not app.startswith("django.")]
missing_catalogues = [  # the wheels ship their Polish catalogue, compiled
    app for app in apps
    if not os.path.isfile(os.path.join(
        os.path.dirname(import_module(app).__file__), "locale/pl/LC_MESSAGES/django.mo"
    ))
]
print(json.dumps({
    "imported": len(sys.argv) - 1,
    "missing_catalogues": missing_catalogues,
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
    venv: bare_venv.BareVenv

    def append(self, name: str, code: str) -> None:
        path = self.directory / "mysite" / name
        path.write_text(f"{path.read_text()}\n{code}")

    def manage(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        return self.run("python", "manage.py", *arguments)

    def run(self, *command: str) -> subprocess.CompletedProcess[str]:
        return self.venv.run(*command, cwd=self.directory, timeout=300)


def require(ok: bool, what: str, done: subprocess.CompletedProcess[str] | None = None) -> None:
    if not ok:
        output = f"\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}" if done else ""
        raise AdoptionError(f"{what}{output}")


def make_project(work: Path, distribution: str, django: str) -> tuple[Project, Installation]:
    """A bare virtualenv with Django, core and the package only, and a new startproject site."""
    steps = installation(distribution)
    wanted = [f"Django{django}", bare_venv.requirement(CORE)]
    for requirement in steps.requirements:  # the README's, with the extras it asks for
        extras = re.search(r"\[[^\]]*\]", requirement)
        wanted.append(bare_venv.requirement(distribution, extras[0] if extras else ""))
    venv = bare_venv.create(work / "venv", *dict.fromkeys(wanted))
    venv.assert_bare()
    directory = work / "project"
    directory.mkdir()
    done = venv.run("django-admin", "startproject", "mysite", str(directory), cwd=work)
    require(done.returncode == 0, "startproject failed", done)
    return Project(directory, venv), steps


@dataclass(frozen=True)
class Seen:
    """What following the README led to."""

    deploy_warnings: list[str]  # ids of the packages' warnings in check --deploy
    imported: int  # modules of the package imported in the project
    login_page: str  # where /ops/ sent an anonymous visitor
    score: float  # the readiness report's


def follow(project: Project, distribution: str, steps: Installation, modules: list[str]) -> Seen:
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
    return Seen(deploy_warnings(project), *visit(project, PACKAGES[distribution], modules))


def deploy_warnings(project: Project) -> list[str]:
    """The packages' ids in check --deploy: warnings with a hint each, never an error."""
    done = project.manage("check", "--deploy")
    output = done.stdout + done.stderr
    errors = output.partition("ERRORS:\n")[2].partition("WARNINGS:\n")[0]
    found = {m["id"] for m in CHECK_MESSAGE.finditer(errors)}
    # Django 6.1's startproject settings are themselves an error for --deploy (a console
    # email backend): that one is the project's to fix, any other error fails the run.
    expected = bool(found) and found <= STARTPROJECT_ERRORS
    require(done.returncode == 0 or expected, "check --deploy found errors", done)
    ours = [m for m in CHECK_MESSAGE.finditer(output) if m["id"].startswith("prodready")]
    for message in ours:
        following = output[message.end() :].split("\n?: ", 1)[0]
        require("HINT:" in following, f"{message['id']} names no fix", done)
    return sorted({message["id"] for message in ours})


def visit(project: Project, app: str, modules: list[str]) -> tuple[int, str, float]:
    done = project.run("python", "-c", VISIT, *modules)
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
    require(
        not seen["missing_catalogues"],
        f"installed without their Polish catalogue: {seen['missing_catalogues']}",
    )
    *redirects, (_, status) = seen["ops"]
    require(
        bool(redirects) and status == 200,
        f"/ops/ did not lead an anonymous visitor to a login page: {seen['ops']}",
    )
    require(seen["live"] == 200, f"/health/live answered {seen['live']}")
    require(seen["ready"] == 200, f"/health/ready answered {seen['ready']}")
    return int(seen["imported"]), str(redirects[-1][0]), float(seen["score"])


def adopt(distribution: str, django: str, work: Path, modules: list[str]) -> Seen:
    """Follow ``distribution``'s README in a new project under ``work``; what was seen.

    ``django`` is a version specifier such as ``"==5.2.1"``; ``modules`` are imported in
    the project.
    """
    project, steps = make_project(work, distribution, django)
    return follow(project, distribution, steps, modules)
