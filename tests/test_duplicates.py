"""No block of six or more lines is repeated in the packages' sources (issue 18).

Lines are compared with their whitespace normalised; blank lines, lone brackets and
import statements (which name the same things by design) are left out. Tests, migrations
and vendored files are not sources. A repeat that is the clearer choice is listed in
ACCEPTED with the reason; any other fails, with where it is.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WINDOW = 6
SUFFIXES = {".py", ".html", ".js", ".css", ".txt"}
FILLER = re.compile(r'^(?:[)\]}],?|"""|\{% endblock %\}|\{% endif %\}|\{% endfor %\})$')

# Repeats kept on purpose: the files involved, each relative to packages/, and why.
ACCEPTED = {
    frozenset(
        {
            "django-prodready-backup/src/prodready_backup/prodready_hooks.py",
            "django-prodready-core/src/prodready/hookspecs.py",
        }
    ): "a hookimpl repeats its hookspec's signature, as pluggy requires",
    frozenset(
        {
            "django-prodready-observability/src/prodready_observability/prodready_hooks.py",
            "django-prodready-security/src/prodready_security/prodready_hooks.py",
        }
    ): "two plugins implementing the same hooks (prodready_settings, then "
    "prodready_readiness_findings) in the same order",
    frozenset(
        {
            "django-prodready-backup/src/prodready_backup/templates/prodready_backup/backup_list.html",
            "django-prodready-security/src/prodready_security/templates/prodready_security/audit/recent_events.html",
        }
    ): "the end of a page head's form, then core's card-and-table markup around a page of rows",
    frozenset(
        {"django-prodready-core/src/prodready/testing.py"}
    ): "RedisServer's and TcpProxy's `with` protocol (__enter__, __exit__)",
}


def source_files() -> list[Path]:
    return sorted(
        path
        for path in ROOT.glob("packages/*/src/**/*")
        if path.suffix in SUFFIXES
        and path.is_file()
        and not {"migrations", "vendor", "locale"} & set(path.parts)
    )


def import_lines(text: str) -> set[int]:
    """The line numbers (1-based) of every import statement of a module."""
    lines: set[int] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return lines


def compared_lines(path: Path, text: str) -> list[tuple[int, str]]:
    skipped = import_lines(text) if path.suffix == ".py" else set()
    kept = []
    for number, line in enumerate(text.splitlines(), start=1):
        normalised = " ".join(line.split())
        if normalised and number not in skipped and not FILLER.match(normalised):
            kept.append((number, normalised))
    return kept


def repeated_blocks(files: dict[str, str]) -> dict[frozenset[str], list[str]]:
    """Repeated windows of WINDOW compared lines: the files they are in, to the places."""
    seen: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for name, text in files.items():
        lines = compared_lines(Path(name), text)
        for start in range(len(lines) - WINDOW + 1):
            window = tuple(line for _number, line in lines[start : start + WINDOW])
            seen[window].append(f"{name}:{lines[start][0]}")
    found: dict[frozenset[str], list[str]] = defaultdict(list)
    for places in seen.values():
        if len(places) > 1:
            found[frozenset(place.rsplit(":", 1)[0] for place in places)] += places
    return dict(found)


def test_no_block_of_six_lines_is_repeated_in_the_packages() -> None:
    packages = ROOT / "packages"
    files = {str(path.relative_to(packages)): path.read_text() for path in source_files()}
    repeats = repeated_blocks(files)
    unexpected = {
        " + ".join(sorted(names)): sorted(places)[:4]
        for names, places in repeats.items()
        if names not in ACCEPTED
    }
    assert unexpected == {}
    # An accepted repeat that is gone is taken off the list.
    assert set(ACCEPTED) <= set(repeats), set(ACCEPTED) - set(repeats)


def test_a_repeated_block_is_found_across_files_and_imports_are_not() -> None:
    lines = [f"total += value_{number}" for number in range(WINDOW)]
    imports = "".join(f"import module_{number}\n" for number in range(WINDOW))
    files = {
        "a.py": imports + "\ndef one():\n" + "".join(f"    {line}\n" for line in lines),
        "b.py": imports + "\ndef two():\n" + "".join(f"        {line}\n" for line in lines),
        "c.html": "\n".join(["<p>", *lines[:-1], "</p>"]),  # one line short of a block
    }
    assert repeated_blocks(files) == {frozenset({"a.py", "b.py"}): ["a.py:9", "b.py:9"]}
