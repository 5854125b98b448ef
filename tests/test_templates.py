"""No template of the packages or the example needs 'unsafe-inline' in the CSP.

A Content-Security-Policy without 'unsafe-inline' refuses inline ``<style>`` and
``<script>``, ``style=""`` and ``on*=""`` attributes and ``javascript:`` URLs: the page
then renders unstyled or without its behaviour. Styles and scripts are static files
(DESIGN.md, "Templates and static files"), from this site, not a CDN. This scan is the
fast guard; the browser tests (example_project/tests/browser/) watch the real pages.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted(
    [
        *ROOT.glob("packages/*/src/*/templates/**/*.html"),
        *ROOT.glob("example_project/*/templates/**/*.html"),
    ]
)
# Template comments may mention what they avoid; blank them, keeping the line numbers.
COMMENTS = re.compile(r"\{#.*?#\}|\{%\s*comment\b.*?%\}.*?\{%\s*endcomment\s*%\}", re.S)
HANDLER = re.compile(r"on[a-z]+")
ELSEWHERE = re.compile(r"(https?:)?//", re.I)


class InlineFinder(HTMLParser):
    """Collects ``(line, problem)`` for everything a strict CSP would refuse."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "style":
            self.found("a <style> block: move it to a static CSS file")
        if tag == "script" and not names.get("src"):
            self.found("an inline <script>: move it to a static JS file")
        source = names.get("src") or names.get("href") or ""
        if tag in {"script", "link"} and ELSEWHERE.match(source):
            self.found(f"a <{tag}> from another site: ship the file as a static file")
        for name, value in attrs:
            if name == "style":
                self.found('a style="" attribute: use a class from a static CSS file')
            elif HANDLER.fullmatch(name):
                self.found(f"an {name}= handler attribute: use addEventListener in a JS file")
            elif value and value.strip().lower().startswith("javascript:"):
                self.found(f"a javascript: URL in {name}=: use a static JS file")

    handle_startendtag = handle_starttag

    def found(self, problem: str) -> None:
        self.problems.append((self.getpos()[0], problem))


def problems(text: str) -> list[tuple[int, str]]:
    text = COMMENTS.sub(lambda match: "\n" * match.group().count("\n"), text)
    finder = InlineFinder()
    finder.feed(text)
    finder.close()
    return finder.problems


def test_the_scan_finds_every_packages_templates() -> None:
    found = {path.relative_to(ROOT).parts[1] for path in TEMPLATES}
    assert {
        "django-prodready-core",
        "django-prodready-security",
        "django-prodready-backup",
        "django-prodready-observability",
        "school",
    } <= found


def test_no_template_needs_unsafe_inline() -> None:
    listed = [
        f"{path.relative_to(ROOT)}:{line}: {problem}"
        for path in TEMPLATES
        for line, problem in problems(path.read_text())
    ]
    assert listed == [], "\n".join(["Not allowed under the strict CSP:", *listed])


@pytest.mark.parametrize(
    ("template", "line", "problem"),
    [
        ("<p>\n<style>p { color: red }</style>", 2, "a <style> block"),
        ("<svg>\n\n<style>.x {}</style></svg>", 3, "a <style> block"),
        ("<script>alert(1)</script>", 1, "an inline <script>"),
        ('<script type="module">\nimport "x";</script>', 1, "an inline <script>"),
        ('<script src="https://cdn.example.com/x.js"></script>', 1, "a <script> from another"),
        ('<link rel="stylesheet" href="//cdn.example.com/x.css">', 1, "a <link> from another"),
        ('<div>\n  <p class="a" style="margin:0">', 2, 'a style="" attribute'),
        ("<br style='clear: both'/>", 1, 'a style="" attribute'),
        ('<button onclick="go()">', 1, "an onclick= handler"),
        ('<body ONLOAD="go()">', 1, "an onload= handler"),
        ('<a href=" JavaScript:go()">', 1, "a javascript: URL in href="),
        ('<form action="javascript:void(0)">', 1, "a javascript: URL in action="),
    ],
)
def test_the_scan_reports_each_kind_with_its_line(template: str, line: int, problem: str) -> None:
    [(found_line, found)] = problems(template)
    assert (found_line, found[: len(problem)]) == (line, problem)


@pytest.mark.parametrize(
    "template",
    [
        '{% load static %}<link rel="stylesheet" href="{% static \'x.css\' %}">',
        "<script src=\"{% static 'x.js' %}\" defer></script>",
        '<p class="pr-muted {% if x %}pr-small{% endif %}">{{ style }}</p>',
        '{# not a <style> block, nor style="" #}<p>',
        '{% comment %}\n<script>old()</script>\n{% endcomment %}<a href="/one/">one</a>',
        '<input name="online" value="javascript is text here">',
    ],
)
def test_the_scan_passes_what_the_policy_allows(template: str) -> None:
    assert problems(template) == []
