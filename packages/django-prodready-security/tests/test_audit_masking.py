"""Which field names are secrets: the answers kept per field follow the setting."""

from __future__ import annotations

from django.test import override_settings

from prodready_security.audit import masking
from prodready_security.audit.masking import MASK, is_masked, mask_data


def test_builtin_patterns_match_case_insensitively_with_wildcards() -> None:
    assert is_masked("Password")
    assert is_masked("stripe_API_KEY")
    assert is_masked("key", "otp_totp.totpdevice")
    assert not is_masked("key", "school.room")
    assert not is_masked("name", "auth.group")


def test_a_change_of_the_setting_is_seen_at_once() -> None:
    assert not is_masked("email", "auth.user")  # the answer is kept now
    with override_settings(PRODREADY_AUDIT_MASKED_FIELDS=["auth.user.email"]):
        assert is_masked("email", "auth.user")
        assert not is_masked("email", "auth.group")
    assert not is_masked("email", "auth.user")


def test_keys_from_anywhere_do_not_grow_the_kept_answers_without_bound() -> None:
    data = {f"key{number}": number for number in range(masking.KEPT_ANSWERS + 100)}
    data["session_token"] = "t0ps3cret"
    masked = mask_data(data)
    assert masked["session_token"] == MASK
    assert masked["key1"] == 1
    assert len(masking._masking().answers) <= masking.KEPT_ANSWERS
