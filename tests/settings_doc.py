"""Write docs/settings.md from the settings' own docstrings.

Each package's ``conf.py`` describes every setting once, in its property's docstring::

    @property
    def HEALTH_DEADLINE(self) -> float:
        \"\"\"Seconds all checks together may take.

        :type: number
        :default: ``5.0``
        \"\"\"

The first paragraph is the description; ``:type:`` and ``:default:`` fill their columns.
``python3 dev.py docs`` (or ``python tests/settings_doc.py`` in an environment with the
four packages) rewrites docs/settings.md; tests/test_docs.py fails when it is out of date.
"""

from __future__ import annotations

import importlib
import inspect
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETTINGS_MD = ROOT / "docs" / "settings.md"
PACKAGES = {
    "prodready": "django-prodready-core",
    "prodready_security": "django-prodready-security",
    "prodready_backup": "django-prodready-backup",
    "prodready_observability": "django-prodready-observability",
}
REGENERATE = "python3 dev.py docs"
FIELD = re.compile(r"^:(\w+): ?(.*)$")

INTRODUCTION = """\
# Settings

Every django-prodready setting is a plain Django setting named `PRODREADY_<FEATURE>_*`.
Each package reads its settings lazily (so `override_settings` works) and validates them
with system checks:

- a value of the wrong type is an error (`prodready.E002`) naming the setting, what was
  expected and what was found (the value is not quoted when the name suggests a secret:
  `TOKEN`, `KEY`, `DSN`, `SECRET`, `PASSWORD`, `URL`). Code that runs without
  `manage.py check` meets the same judgement: reading such a setting raises
  `prodready.conf.InvalidSetting` (an `ImproperlyConfigured`) with the same message, and
  the health probes and `manage.py prodready health` report a failed `settings` check
  instead of crashing;
- a `PRODREADY_*` name that no installed package knows is a warning (`prodready.W001`)
  with the closest known name ("did you mean ...?");
- variables listed in `PRODREADY_REQUIRED_ENV` that are missing from the environment are
  one error (`prodready.E003`) naming every missing variable.

Secrets (tokens, keys, webhook URLs) belong in the environment; read them in your
settings module, for example with django-environ.

The tables below are generated from the docstrings of each package's `conf.py` by
tests/settings_doc.py: edit those and run `python3 dev.py docs`, never this file.
"""


class UndocumentedSetting(Exception):
    """A settings property whose docstring lacks a description, a type or a default."""


def markdown(text: str) -> str:
    """One table cell: reST literals as Markdown code, lines joined."""
    return " ".join(text.split()).replace("``", "`")


def parse(setting: str, docstring: str | None) -> tuple[str, str, str]:
    """(type, default, description) from a settings property's docstring."""
    description: list[str] = []
    fields: dict[str, list[str]] = {}
    current: list[str] = description
    for line in inspect.cleandoc(docstring or "").splitlines():
        field = FIELD.match(line)
        if field:
            current = fields.setdefault(field[1], [])
            current.append(field[2])
        elif current is description or line.startswith(" "):
            current.append(line)
        else:
            raise UndocumentedSetting(f"{setting}: text after the fields of its docstring")
    missing = [part for part in ("type", "default") if part not in fields]
    if not "".join(description).strip():
        missing.insert(0, "description")
    if missing:
        raise UndocumentedSetting(
            f"{setting}: its property's docstring needs {', '.join(missing)} "
            "(a first paragraph, then `:type:` and `:default:` lines)"
        )
    return (
        markdown(" ".join(fields["type"])),
        markdown(" ".join(fields["default"])),
        markdown(" ".join(description)),
    )


def settings_of(package: str) -> list[tuple[str, str, str, str]]:
    """(name, type, default, description) of every setting of ``package``, in source order."""
    settings_class = type(importlib.import_module(f"{package}.conf").conf)
    prefix = "PRODREADY_"
    return [
        (prefix + name, *parse(prefix + name, member.__doc__))
        for name, member in vars(settings_class).items()
        if isinstance(member, property) and name.isupper()
    ]


def render() -> str:
    parts = [INTRODUCTION]
    for package, distribution in PACKAGES.items():
        parts.append(f"\n## `{package}`\n\n{distribution}.\n\n")
        parts.append("| Setting | Type | Default | What it does |\n|---|---|---|---|\n")
        for row in settings_of(package):
            parts.append("| `{}` | {} | {} | {} |\n".format(*row))
    return "".join(parts)


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if SETTINGS_MD.read_text() != text:
            print(f"docs/settings.md is out of date: run `{REGENERATE}`.", file=sys.stderr)
            return 1
        return 0
    SETTINGS_MD.write_text(text)
    print(f"Wrote {SETTINGS_MD.relative_to(ROOT)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
