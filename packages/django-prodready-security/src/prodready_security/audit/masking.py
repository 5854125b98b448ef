"""Which values never reach the log: passwords, OTP keys, anything named like a secret.

Patterns match a field name (``password``) or ``app_label.model.field``
(``otp_totp.totpdevice.key``), case-insensitively, with shell wildcards. The
project adds its own with ``PRODREADY_AUDIT_MASKED_FIELDS``. A masked change
still shows that the value was set, changed or cleared, never the value.
"""

from __future__ import annotations

import re
from fnmatch import translate
from typing import Any

from prodready.conf import derived_from
from prodready_security.conf import conf

MASK = "********"

BUILTIN_PATTERNS = (
    "password",
    "*secret*",
    "*token*",
    "*api_key*",
    "*private_key*",
    "*encrypted*",
    "otp_totp.totpdevice.key",
    "otp_hotp.hotpdevice.key",
    "prodready_security.backupcode.digest",
)


# Answers kept per (field, model); bounded, as data keys may come from anywhere.
KEPT_ANSWERS = 4096


class _Masking:
    """Every pattern as one regular expression, and the answers given so far: a tracked
    save asks again about the same few fields every time."""

    def __init__(self, patterns: list[str]) -> None:
        self.pattern = re.compile("|".join(translate(p.lower()) for p in patterns))
        self.answers: dict[tuple[str, str | None], bool] = {}

    def masked(self, field: str, model_label: str | None) -> bool:
        key = (field, model_label)
        answer = self.answers.get(key)
        if answer is None:
            names = [field, f"{model_label}.{field}"] if model_label else [field]
            answer = any(self.pattern.match(name.lower()) for name in names)
            if len(self.answers) < KEPT_ANSWERS:
                self.answers[key] = answer
        return answer


@derived_from("PRODREADY_AUDIT_MASKED_FIELDS")
def _masking() -> _Masking:
    return _Masking([*BUILTIN_PATTERNS, *conf.AUDIT_MASKED_FIELDS])


def is_masked(field: str, model_label: str | None = None) -> bool:
    """Whether ``field`` (of the model ``app_label.model``, if known) is a secret."""
    return _masking().masked(field, model_label)


def mask_changes(
    changes: dict[str, list[Any]], model_label: str | None = None
) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` with secret values replaced by :data:`MASK`."""
    return {
        field: [_masked(value) for value in pair] if is_masked(field, model_label) else pair
        for field, pair in changes.items()
    }


def mask_data(data: Any) -> Any:
    """Event data with the value of every secret-named key masked, at any depth."""
    if isinstance(data, dict):
        return {
            key: _masked(value) if is_masked(key) else mask_data(value)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [mask_data(item) for item in data]
    return data


def _masked(value: Any) -> Any:
    return None if value is None else MASK
