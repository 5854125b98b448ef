"""What each distribution's code imports at run time, read from its source with ``ast``.

Used by ``test_declared_dependencies.py`` (every import is declared) and by the tests
that install a package into a bare virtualenv (which modules must import there).

An import is *eager* when it runs as the module is imported (module or class body), and
*deferred* when it sits in a function or under ``try: ... except ImportError`` (the code
copes without it). Imports under ``if TYPE_CHECKING:`` never run and are ignored.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import packages_distributions
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "example_project"
# Modules a host program loads through one of its entry-point groups: the host is there.
HOSTS = {"pytest11": "pytest"}
# Settings name classes by dotted path ("whitenoise.middleware.WhiteNoiseMiddleware"):
# Django imports them when it starts, so they count as the settings module's imports.
DOTTED_PATH = re.compile(r"[a-z_][a-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+")


def normalize(name: str) -> str:
    """A distribution name as PEP 503 compares them (``Django`` == ``django``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def shown(path: Path) -> str:
    """``path`` as messages show it: relative to the repository when inside it."""
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def requirement_name(requirement: str) -> str:
    return normalize(re.split(r"[\s\[<>=!~;]", requirement.strip(), maxsplit=1)[0])


@dataclass(frozen=True)
class Import:
    module: str  # as written: "celery.schedules"
    path: Path
    line: int
    eager: bool

    @property
    def where(self) -> str:
        return f"{shown(self.path)}:{self.line}"


@dataclass
class Project:
    """A distribution of this repository: its pyproject.toml and the code it ships."""

    root: Path
    name: str
    dependencies: set[str]
    extras: dict[str, set[str]]
    host_loaded: dict[str, str]  # module -> the distribution of the program loading it
    files: dict[str, Path] = field(default_factory=dict)  # module -> file
    # Files run as scripts, not imported: manage.py, gunicorn.conf.py.
    scripts: list[Path] = field(default_factory=list)

    @property
    def pyproject(self) -> str:
        return shown(self.root / "pyproject.toml")

    @property
    def top_level(self) -> set[str]:
        return {module.split(".")[0] for module in self.files}

    def extras_providing(self, distribution: str) -> list[str]:
        return sorted(extra for extra, names in self.extras.items() if distribution in names)


@cache
def pytest_loaded() -> tuple[str, ...]:
    """Modules the repository's pytest configuration loads (``-p``): pytest is there."""
    pytest_config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]
    addopts = pytest_config["ini_options"]["addopts"]
    return tuple(value for flag, value in pairwise(addopts) if flag == "-p")


def load_project(root: Path) -> Project:
    metadata = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    extras = metadata.get("optional-dependencies", {})
    entry_points = metadata.get("entry-points", {})
    project = Project(
        root=root,
        name=normalize(metadata["name"]),
        dependencies={requirement_name(r) for r in metadata.get("dependencies", [])},
        extras={extra: {requirement_name(r) for r in reqs} for extra, reqs in extras.items()},
        host_loaded={
            **{
                target.split(":")[0]: host
                for group, host in HOSTS.items()
                for target in entry_points.get(group, {}).values()
            },
            **dict.fromkeys(pytest_loaded(), "pytest"),
        },
    )
    source = root / "src" if (root / "src").is_dir() else root
    project.scripts = sorted(source.glob("*.py"))
    for package in sorted(source.glob("*/__init__.py")):
        if package.parent.name == "tests":
            continue
        for path in sorted(package.parent.rglob("*.py")):
            parts = list(path.relative_to(source).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            project.files[".".join(parts)] = path
    return project


@cache
def projects() -> tuple[Project, ...]:
    """The four packages and the example project."""
    roots = sorted((ROOT / "packages").glob("*/pyproject.toml"))
    return tuple(load_project(path.parent) for path in [*roots, EXAMPLE / "pyproject.toml"])


def project_of_module(module: str) -> Project | None:
    top = module.split(".")[0]
    return next((p for p in projects() if top in p.top_level), None)


@cache
def _installed() -> dict[str, list[str]]:
    return packages_distributions()


def distributions_of(module: str) -> set[str] | None:
    """The distributions providing ``module``: empty for the stdlib, None if unknown."""
    top = module.split(".")[0]
    if top in sys.stdlib_module_names:
        return set()
    own = project_of_module(module)
    if own is not None:
        return {own.name}
    found = _installed().get(top)
    return {normalize(name) for name in found} if found else None


def _catches_import_error(node: ast.Try) -> bool:
    names = {"ImportError", "ModuleNotFoundError"}
    for handler in node.handlers:
        caught = handler.type
        elements = caught.elts if isinstance(caught, ast.Tuple) else [caught]
        if caught is None or any(isinstance(e, ast.Name) and e.id in names for e in elements):
            return True
    return False


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _Collector(ast.NodeVisitor):
    def __init__(self, module: str, path: Path, is_package: bool) -> None:
        self.module, self.path, self.is_package = module, path, is_package
        self.imports: list[Import] = []
        self.eager = True

    def _add(self, name: str, node: ast.stmt) -> None:
        self.imports.append(Import(name, self.path, node.lineno, self.eager))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:  # relative: resolve against this module's package
            package = self.module.split(".")
            package = package if self.is_package else package[:-1]
            base = ".".join(package[: len(package) - node.level + 1])
            name = f"{base}.{node.module}" if node.module else base
        else:
            name = node.module or ""
        # `from package import submodule` imports the submodule.
        modules = []
        for alias in node.names:
            candidate = f"{name}.{alias.name}"
            owner = project_of_module(candidate)
            modules.append(candidate if owner and candidate in owner.files else name)
        for module in dict.fromkeys(modules):
            self._add(module, node)

    def _deferred(self, node: ast.AST) -> None:
        eager, self.eager = self.eager, False
        self.generic_visit(node)
        self.eager = eager

    visit_FunctionDef = visit_AsyncFunctionDef = _deferred

    def visit_Try(self, node: ast.Try) -> None:
        if not _catches_import_error(node):
            self.generic_visit(node)
            return
        eager, self.eager = self.eager, False
        for statement in node.body:
            self.visit(statement)
        self.eager = eager
        for part in (*node.handlers, *node.orelse, *node.finalbody):
            self.visit(part)

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):
            for statement in node.orelse:
                self.visit(statement)
        else:
            self.generic_visit(node)


def _settings_paths(tree: ast.Module, path: Path) -> Iterator[Import]:
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        if DOTTED_PATH.fullmatch(node.value) and distributions_of(node.value):
            yield Import(node.value, path, node.lineno, eager=True)


@cache
def imports_in(path: Path, module: str = "__main__") -> tuple[Import, ...]:
    """Every run-time import in the file at ``path`` (a module's, or a script's)."""
    tree = ast.parse(path.read_text(), str(path))
    collector = _Collector(module, path, is_package=path.name == "__init__.py")
    collector.visit(tree)
    found = collector.imports
    if ".settings." in f".{module}.":
        found += _settings_paths(tree, path)
    return tuple(found)


def imports_of(module: str) -> tuple[Import, ...]:
    project = project_of_module(module)
    assert project is not None, module
    return imports_in(project.files[module], module)


def eager_closure(module: str) -> set[str]:
    """The third-party distributions that importing ``module`` needs, through our modules.

    Includes the program that loads a host-loaded module (pytest for a pytest plugin).
    """
    seen: set[str] = set()
    needed: set[str] = set()
    pending = [module]
    while pending:
        current = pending.pop()
        owner = project_of_module(current)
        if current in seen or owner is None:
            continue
        seen.add(current)
        # Importing a.b.c runs a/__init__.py and a/b/__init__.py first.
        parts = current.split(".")
        pending += [".".join(parts[:n]) for n in range(1, len(parts))]
        if current in owner.host_loaded:
            needed.add(owner.host_loaded[current])
        for found in imports_of(current):
            if not found.eager:
                continue
            target = project_of_module(found.module)
            if target is None:
                needed |= distributions_of(found.module) or set()
            else:
                pending.append(_known_module(target, found.module))
    return needed


def _known_module(project: Project, module: str) -> str:
    """``module``, or its closest parent that is a file of ``project``."""
    while module not in project.files and "." in module:
        module = module.rsplit(".", 1)[0]
    return module


def installed_with(project: Project) -> set[str]:
    """The distributions that installing ``project`` alone brings, as far as it declares."""
    names = set(project.dependencies)
    for other in projects():
        if other.name in project.dependencies:
            names |= installed_with(other)
    return names


def importable_alone(project: Project) -> list[str]:
    """``project``'s modules that import with what it depends on (no extra, no host)."""
    available = installed_with(project)
    return sorted(m for m in project.files if eager_closure(m) <= available)


def undeclared(project: Project) -> list[str]:
    """One message per distribution that ``project`` imports without declaring it.

    An eager import needs a dependency (or the program loading a host-loaded module);
    a deferred one may come from an extra instead.
    """
    every_extra = set().union(*project.extras.values())
    sources = [(path, module) for module, path in project.files.items()]
    sources += [(path, "__main__") for path in project.scripts]
    unknown: dict[str, list[Import]] = {}
    missing: dict[str, list[Import]] = {}  # distributions -> imports not covered
    for path, module in sources:
        host = {project.host_loaded[module]} if module in project.host_loaded else set()
        for found in imports_in(path, module):
            names = distributions_of(found.module)
            if names is None:
                unknown.setdefault(found.module.split(".")[0], []).append(found)
                continue
            if not names or project.name in names:
                continue  # the standard library, or the project's own code
            allowed = project.dependencies | host
            if not found.eager:
                allowed |= every_extra
            if not names & allowed:
                missing.setdefault(", ".join(sorted(names)), []).append(found)
    problems = [
        f"{_places(imports)} import {top!r}, which no installed distribution provides: "
        "install it in the test environment so this check can tell which one it is"
        for top, imports in unknown.items()
    ]
    for name, imports in missing.items():
        extras = sorted({e for n in name.split(", ") for e in project.extras_providing(n)})
        eager = [found for found in imports if found.eager]
        if eager and extras:
            problems.append(
                f"{_places(eager)} import {name} as the module is imported, but "
                f"{project.pyproject} has it only in the extra {', '.join(extras)}: import it "
                "where it is used, under `try: ... except ImportError` whose message names "
                "the extra, or make it a dependency"
            )
        else:
            where = "dependencies" if eager else "dependencies or an extra"
            problems.append(
                f"{_places(eager or imports)} import {name}, which {project.pyproject} does "
                f"not declare: add it to [project] {where}"
            )
    return problems


def _places(imports: list[Import], shown_at_most: int = 3) -> str:
    places = ", ".join(found.where for found in imports[:shown_at_most])
    more = len(imports) - shown_at_most
    return f"{places} (and {more} more)" if more > 0 else places
