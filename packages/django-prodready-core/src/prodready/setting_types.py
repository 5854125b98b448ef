"""Whether a setting's value has the type its ``conf.py`` property declares, and how to say
it has not.

One judgement for both readers: the system check (``prodready.E002``) and the properties
themselves when code reads a setting at run time, so ``manage.py check`` and a request
never disagree about a value.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from typing import Any

MAX_SHOWN = 80  # characters of a bad value quoted in a message
# Settings named like this may hold a secret even when mistyped: their value is never quoted.
SECRET_WORDS = ("TOKEN", "KEY", "DSN", "SECRET", "PASSWORD", "URL")


_declared: dict[tuple[type, str], Any] = {}


def declared_type(settings_class: type, name: str) -> Any:
    """The return annotation of the property ``name`` (less the prefix) of ``settings_class``."""
    key = (settings_class, name)
    if key not in _declared:  # resolving annotations is slow; they never change
        prop = getattr(settings_class, name)
        _declared[key] = typing.get_type_hints(prop.fget)["return"]
    return _declared[key]


def problem(setting: str, expected: Any, value: Any) -> str:
    """The sentence naming the setting, what it must be and what was found."""
    found = type(value).__name__
    if not any(word in setting for word in SECRET_WORDS):
        shown = repr(value)
        found += " " + (shown if len(shown) <= MAX_SHOWN else shown[: MAX_SHOWN - 3] + "...")
    return f"{setting} must be {describe(expected)}; found {found}."


def matches(value: Any, expected: Any) -> bool:
    """Whether ``value`` fits the annotation ``expected`` (the shapes settings use)."""
    origin = typing.get_origin(expected)
    args = typing.get_args(expected)
    if expected is Any:
        return True
    if expected is None or expected is type(None):
        return value is None
    if origin in (typing.Union, types.UnionType):
        return any(matches(value, arg) for arg in args)
    if origin is typing.Literal:
        return value in args
    if expected is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if origin in (list, tuple, typing.Sequence, Sequence) or expected in (list, tuple):
        if not isinstance(value, (list, tuple)):
            return False
        return not args or all(matches(item, args[0]) for item in value)
    if origin is dict or expected is dict:
        if not isinstance(value, dict):
            return False
        return not args or all(
            matches(k, args[0]) and matches(v, args[1]) for k, v in value.items()
        )
    if isinstance(expected, type):
        return isinstance(value, expected)
    return True


def describe(expected: Any) -> str:
    origin = typing.get_origin(expected)
    args = typing.get_args(expected)
    if expected is Any:
        return "anything"
    if expected is None or expected is type(None):
        return "None"
    if origin in (typing.Union, types.UnionType):
        return " or ".join(describe(arg) for arg in args)
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(arg) for arg in args)
    if origin in (list, tuple):
        return f"a list of {describe(args[0])}" if args else "a list"
    if origin is dict:
        return f"a dict of {describe(args[0])} to {describe(args[1])}" if args else "a dict"
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    return names.get(expected, getattr(expected, "__name__", str(expected)))
