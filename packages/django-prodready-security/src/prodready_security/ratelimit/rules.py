"""Rules from ``PRODREADY_RATELIMIT_RULES``: what to match, what to count by, how much.

::

    PRODREADY_RATELIMIT_RULES = [
        {
            "name": "login",
            "url_names": ["login", "admin:login"],
            "methods": ["POST"],
            "key": "ip",
            "rate": "10/m",
        },
        {"name": "api", "paths": ["/api/"], "key": "user_or_ip", "rate": "100/h", "api": True},
    ]

A rule applies to a request whose path starts with one of ``paths`` or whose URL
name (``namespace:name``) is one of ``url_names``, and whose method is one of
``methods`` (all methods when left out). Parsing is strict: every mistake raises
:class:`RuleError` carrying the system-check id that reports it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from prodready_security.ratelimit.keys import KeyFunction, UnknownKey, key_function
from prodready_security.ratelimit.rates import InvalidRate, Rate, parse_rate

SETTING = "PRODREADY_RATELIMIT_RULES"
REQUIRED = ("name", "rate")
OPTIONS = ("name", "rate", "key", "paths", "url_names", "methods", "fail_open", "api")
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"})


class RuleError(ValueError):
    """A rule that cannot be used, with the fix and the id of the check reporting it."""

    def __init__(self, check_id: str, message: str, hint: str) -> None:
        super().__init__(message)
        self.check_id = check_id
        self.hint = hint


@dataclass(frozen=True)
class Rule:
    name: str
    rate: Rate
    key: KeyFunction
    key_spec: str
    paths: tuple[str, ...] = ()
    url_names: frozenset[str] = frozenset()
    methods: frozenset[str] | None = None  # None: every method
    fail_open: bool | None = None  # None: PRODREADY_RATELIMIT_FAIL_OPEN
    api: bool = False  # blocked requests always get JSON

    def applies_to_method(self, method: str | None) -> bool:
        return self.methods is None or (method or "").upper() in self.methods

    def matches_path(self, path: str) -> bool:
        return any(path.startswith(prefix) for prefix in self.paths)

    def matches_url_name(self, url_name: str | None) -> bool:
        return url_name is not None and url_name in self.url_names


def parse_rules(raw: object) -> list[Rule]:
    """Every rule of the setting, in order; :class:`RuleError` at the first mistake."""
    if not isinstance(raw, (list, tuple)):
        raise RuleError(
            "prodready_security.E001",
            f"{SETTING} must be a list of dicts; found {type(raw).__name__} {raw!r}.",
            f"Set {SETTING} to a list such as [{{'name': 'login', 'rate': '5/m', ...}}].",
        )
    rules: list[Rule] = []
    for index, entry in enumerate(raw):
        rule = parse_rule(index, entry)
        if any(existing.name == rule.name for existing in rules):
            raise RuleError(
                "prodready_security.E001",
                f"{SETTING}: two rules are named {rule.name!r}.",
                "Give every rule its own name: the name keys its counters and its metrics.",
            )
        rules.append(rule)
    return rules


def parse_rule(index: int, entry: object) -> Rule:
    label = f"{SETTING}[{index}]"
    if not isinstance(entry, Mapping):
        raise RuleError(
            "prodready_security.E001",
            f"{label} must be a dict; found {type(entry).__name__} {entry!r}.",
            "Write each rule as a dict with at least 'name' and 'rate'.",
        )
    name = entry.get("name")
    if not isinstance(name, str) or not name:
        raise RuleError(
            "prodready_security.E001",
            f"{label} needs a 'name' (a non-empty string); found {name!r}.",
            "Name the rule, for example 'name': 'login'.",
        )
    label = f"{SETTING} rule {name!r}"
    _check_options(label, entry)
    rate = _rate(label, entry.get("rate"))
    key_spec = entry.get("key", "ip")
    try:
        key = key_function(key_spec)
    except UnknownKey as exc:
        raise RuleError(
            "prodready_security.E003",
            f"{label}: 'key' is not usable: {exc}.",
            "Use 'ip', 'user', 'user_or_ip', 'header:X-Api-Key' or the dotted path of a "
            "function (group, request) -> str | None.",
        ) from exc
    paths = _strings(label, entry, "paths")
    url_names = _strings(label, entry, "url_names")
    if not paths and not url_names:
        raise RuleError(
            "prodready_security.E004",
            f"{label} matches no request: it has neither 'paths' nor 'url_names'.",
            "Add 'paths': ['/api/'] (path prefixes) or 'url_names': ['login'] (URL names).",
        )
    return Rule(
        name=name,
        rate=rate,
        key=key,
        key_spec=key_spec,
        paths=tuple(paths),
        url_names=frozenset(url_names),
        methods=_methods(label, entry),
        fail_open=_flag(label, entry, "fail_open", None),
        api=bool(_flag(label, entry, "api", False)),
    )


def _check_options(label: str, entry: Mapping[Any, Any]) -> None:
    for option in entry:
        if option not in OPTIONS:
            close = difflib.get_close_matches(str(option), OPTIONS, n=1)
            raise RuleError(
                "prodready_security.E005",
                f"{label} has an unknown option {option!r}.",
                (f"Did you mean {close[0]!r}? " if close else "")
                + f"A rule's options are: {', '.join(OPTIONS)}.",
            )


def _rate(label: str, value: object) -> Rate:
    try:
        return parse_rate(value)
    except InvalidRate as exc:
        raise RuleError(
            "prodready_security.E002",
            f"{label}: 'rate' is malformed: {exc}.",
            "Write the rate as a count per period, for example 'rate': '5/m' or '100/h'.",
        ) from exc


def _strings(label: str, entry: Mapping[Any, Any], option: str) -> list[str]:
    value = entry.get(option, [])
    if not isinstance(value, (list, tuple)) or not all(
        isinstance(item, str) and item for item in value
    ):
        raise RuleError(
            "prodready_security.E004",
            f"{label}: '{option}' must be a list of non-empty strings; found {value!r}.",
            f"Write '{option}' as a list, for example "
            + ("['/api/']." if option == "paths" else "['login', 'admin:login']."),
        )
    return list(value)


def _methods(label: str, entry: Mapping[Any, Any]) -> frozenset[str] | None:
    if "methods" not in entry:
        return None
    methods = _strings(label, entry, "methods")
    unknown = sorted({method.upper() for method in methods} - HTTP_METHODS)
    if unknown or not methods:
        raise RuleError(
            "prodready_security.E004",
            f"{label}: 'methods' must list HTTP methods; found {methods!r}.",
            f"Use some of {', '.join(sorted(HTTP_METHODS))}, or leave 'methods' out "
            "to match every method.",
        )
    return frozenset(method.upper() for method in methods)


def _flag(label: str, entry: Mapping[Any, Any], option: str, default: bool | None) -> bool | None:
    if option not in entry:
        return default
    value = entry[option]
    if not isinstance(value, bool):
        raise RuleError(
            "prodready_security.E001",
            f"{label}: '{option}' must be True or False; found {value!r}.",
            f"Set '{option}' to True or False, or leave it out.",
        )
    return value


def needs_user(rules: Iterable[Rule]) -> bool:
    """Whether any rule counts by user, so ``request.user`` must be set before it."""
    return any(rule.key_spec in ("user", "user_or_ip") for rule in rules)
