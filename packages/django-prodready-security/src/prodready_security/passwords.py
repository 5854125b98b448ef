"""Password validators for ``AUTH_PASSWORD_VALIDATORS``: upper case, digits, symbols.

Each takes the minimum count through ``OPTIONS``, as Django's own validators do::

    AUTH_PASSWORD_VALIDATORS = [
        ...,
        {"NAME": "prodready_security.passwords.UppercaseValidator"},
        {"NAME": "prodready_security.passwords.DigitValidator", "OPTIONS": {"min_count": 2}},
        {"NAME": "prodready_security.passwords.SymbolValidator"},
    ]

Length and common-password checks stay Django's (``MinimumLengthValidator``,
``CommonPasswordValidator``): these only add character classes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import ngettext_lazy

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


class CharacterClassValidator:
    """At least ``min_count`` characters for which ``matches`` is true."""

    code = ""
    # ngettext_lazy keyed by "min_count": the plural form follows the count at format time.
    message: _StrPromise | str = ""
    help_text: _StrPromise | str = ""
    matches: Callable[[str], bool] = staticmethod(lambda character: False)

    def __init__(self, min_count: int = 1) -> None:
        if not isinstance(min_count, int) or isinstance(min_count, bool) or min_count < 1:
            name = type(self).__name__
            raise ValueError(f"{name}: OPTIONS min_count must be 1 or more, not {min_count!r}.")
        self.min_count = min_count

    def validate(self, password: str, user: Any = None) -> None:
        if sum(1 for character in password if self.matches(character)) < self.min_count:
            raise ValidationError(
                self.message,  # formatted by ValidationError with params
                code=self.code,
                params={"min_count": self.min_count},
            )

    def get_help_text(self) -> str:
        return str(self.help_text % {"min_count": self.min_count})


class UppercaseValidator(CharacterClassValidator):
    code = "password_too_few_uppercase"
    matches = staticmethod(str.isupper)
    message = ngettext_lazy(
        "This password must contain at least %(min_count)d upper-case letter.",
        "This password must contain at least %(min_count)d upper-case letters.",
        "min_count",
    )
    help_text = ngettext_lazy(
        "Your password must contain at least %(min_count)d upper-case letter.",
        "Your password must contain at least %(min_count)d upper-case letters.",
        "min_count",
    )


class DigitValidator(CharacterClassValidator):
    code = "password_too_few_digits"
    matches = staticmethod(str.isdigit)
    message = ngettext_lazy(
        "This password must contain at least %(min_count)d digit.",
        "This password must contain at least %(min_count)d digits.",
        "min_count",
    )
    help_text = ngettext_lazy(
        "Your password must contain at least %(min_count)d digit.",
        "Your password must contain at least %(min_count)d digits.",
        "min_count",
    )


def _is_symbol(character: str) -> bool:
    # Punctuation and symbols in any script, spaces too (passphrases); never letters or digits.
    return not character.isalnum()


class SymbolValidator(CharacterClassValidator):
    code = "password_too_few_symbols"
    matches = staticmethod(_is_symbol)
    message = ngettext_lazy(
        "This password must contain at least %(min_count)d symbol, such as !, # or %%.",
        "This password must contain at least %(min_count)d symbols, such as !, # or %%.",
        "min_count",
    )
    help_text = ngettext_lazy(
        "Your password must contain at least %(min_count)d symbol, such as !, # or %%.",
        "Your password must contain at least %(min_count)d symbols, such as !, # or %%.",
        "min_count",
    )
