"""The character-class password validators, alone and through AUTH_PASSWORD_VALIDATORS."""

from __future__ import annotations

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import translation

from prodready_security.passwords import (
    CharacterClassValidator,
    DigitValidator,
    SymbolValidator,
    UppercaseValidator,
)


@pytest.mark.parametrize(
    ("validator", "password", "valid"),
    [
        (UppercaseValidator(), "correct Horse", True),
        (UppercaseValidator(), "correct horse", False),
        (UppercaseValidator(min_count=2), "Correct Horse", True),
        (UppercaseValidator(min_count=2), "Correct horse", False),
        (UppercaseValidator(), "élan Équipe", True),  # any script's upper case
        (DigitValidator(), "horse1", True),
        (DigitValidator(), "horse", False),
        (DigitValidator(min_count=3), "h0rse12", True),
        (DigitValidator(min_count=3), "h0rse1", False),
        (SymbolValidator(), "horse!", True),
        (SymbolValidator(), "horse", False),
        (SymbolValidator(), "correct horse", True),  # a space is a symbol
        (SymbolValidator(min_count=2), "h#rse!", True),
        (SymbolValidator(min_count=2), "horse!9", False),
    ],
)
def test_validate(validator: CharacterClassValidator, password: str, valid: bool) -> None:
    if valid:
        validator.validate(password)
    else:
        with pytest.raises(ValidationError) as caught:
            validator.validate(password)
        assert caught.value.error_list[0].code == validator.code


@pytest.mark.parametrize(
    ("validator", "message"),
    [
        (UppercaseValidator(), "at least 1 upper-case letter."),
        (UppercaseValidator(min_count=2), "at least 2 upper-case letters."),
        (DigitValidator(), "at least 1 digit."),
        (DigitValidator(min_count=3), "at least 3 digits."),
        (SymbolValidator(), "at least 1 symbol, such as !, # or %."),
        (SymbolValidator(min_count=2), "at least 2 symbols, such as !, # or %."),
    ],
)
def test_messages_and_help_texts_follow_the_count(
    validator: CharacterClassValidator, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        validator.validate("")
    assert caught.value.messages == [f"This password must contain {message}"]
    assert validator.get_help_text() == f"Your password must contain {message}"


@pytest.mark.parametrize("min_count", [0, -1, "2", True])
def test_a_bad_min_count_is_refused(min_count: object) -> None:
    with pytest.raises(ValueError, match="min_count"):
        DigitValidator(min_count=min_count)  # type: ignore[arg-type]


VALIDATORS = [
    {"NAME": "prodready_security.passwords.UppercaseValidator"},
    {"NAME": "prodready_security.passwords.DigitValidator", "OPTIONS": {"min_count": 2}},
    {"NAME": "prodready_security.passwords.SymbolValidator"},
]


@override_settings(AUTH_PASSWORD_VALIDATORS=VALIDATORS)
def test_from_auth_password_validators() -> None:
    password_validation.validate_password("Horse-42")
    with pytest.raises(ValidationError) as caught:
        password_validation.validate_password("horse4")
    assert [error.code for error in caught.value.error_list] == [
        "password_too_few_uppercase",
        "password_too_few_digits",
        "password_too_few_symbols",
    ]
    help_texts = password_validation.password_validators_help_texts()
    assert "Your password must contain at least 2 digits." in help_texts


def test_messages_are_translatable() -> None:
    """The message is lazy: it is looked up in the active language when shown."""
    with translation.override("fr"):
        message = str(UppercaseValidator.message % {"min_count": 1})
    assert "upper-case" in message  # no French catalogue ships yet: English fallback
    assert UppercaseValidator.message.__class__.__name__ == "__proxy__"
