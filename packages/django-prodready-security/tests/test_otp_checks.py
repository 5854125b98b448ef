"""System checks for the 2FA settings: exact ids for each mistake, nothing when right."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core import checks
from django.test import override_settings

from tests.otp_support import ENFORCEMENT, enforcing_middleware

# Django 6.1 runs model checks against every database, and the audit log's JSONField
# asks SQLite whether it supports JSON: running all checks needs the test database.
pytestmark = pytest.mark.django_db

OTP = "django_otp.middleware.OTPMiddleware"
VERIFIED = "prodready_security.otp.middleware.VerifiedDeviceMiddleware"
AUTH = "django.contrib.auth.middleware.AuthenticationMiddleware"


def otp_check_ids(**overrides: Any) -> list[str]:
    with override_settings(**overrides):
        messages = checks.run_checks()
    return sorted(
        m.id
        for m in messages
        if m.id and m.id.startswith("prodready_security.E02")  # the 2FA range
    )


def without(middleware: list[str], name: str) -> list[str]:
    return [entry for entry in middleware if entry != name]


def test_the_test_settings_pass() -> None:
    assert otp_check_ids() == []
    assert otp_check_ids(MIDDLEWARE=enforcing_middleware()) == []


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"PRODREADY_OTP_ENCRYPTION_KEYS": []}, []),  # not enforced: the keys are not needed
        ({"PRODREADY_OTP_ENCRYPTION_KEYS": [], "enforced": True}, ["E020"]),
        ({"PRODREADY_OTP_ENCRYPTION_KEYS": ["short"]}, ["E021"]),
        (
            {
                "PRODREADY_OTP_ENCRYPTION_KEYS": [
                    "x" * 44,
                    "5fcKCZtEh7xF1u15WBvoikdJ2mOvWu7HAU3Cg27zTUY=",
                ]
            },
            ["E021"],
        ),
        ({"PRODREADY_OTP_ENCRYPTION_KEYS": "not a list"}, []),  # prodready.E002's job
        ({"MIDDLEWARE": "no otp middleware"}, ["E022"]),
        ({"MIDDLEWARE": "otp middleware after enforcement"}, ["E022"]),
        ({"MIDDLEWARE": "otp middleware before auth"}, ["E022"]),
        ({"PRODREADY_OTP_EXEMPT_PATHS": ["/ok/", "open/"]}, ["E023"]),
        ({"PRODREADY_OTP_BACKUP_CODE_COUNT": 0}, ["E024"]),
        ({"PRODREADY_OTP_BACKUP_CODE_COUNT": 51}, ["E024"]),
        ({"PRODREADY_OTP_THROTTLE_FACTOR": 0}, ["E025"]),
        ({"PRODREADY_OTP_THROTTLE_FACTOR": -1.0}, ["E025"]),
        ({"PRODREADY_OTP_DEVICE_CACHE_SECONDS": -5}, ["E026"]),
        ({"PRODREADY_OTP_DEVICE_CACHE_SECONDS": 0}, []),
        ({"PRODREADY_OTP_TRUSTED_BROWSER_DAYS": -1}, ["E027"]),
        ({"PRODREADY_OTP_TRUSTED_BROWSER_DAYS": 400}, ["E027"]),
        ({"PRODREADY_OTP_TRUSTED_BROWSER_DAYS": 30}, []),
        ({"MIDDLEWARE": "verified-device middleware instead"}, []),
        ({"MIDDLEWARE": "verified-device middleware after enforcement"}, ["E022"]),
        # Passkeys: the relying party id against ALLOWED_HOSTS, the origins against the id.
        ({"PRODREADY_OTP_PASSKEY_SIGN_IN": True}, ["E028"]),
        ({"PRODREADY_OTP_WEBAUTHN_RP_ID": "school.example", "ALLOWED_HOSTS": ["x.org"]}, ["E028"]),
        ({"PRODREADY_OTP_WEBAUTHN_RP_ID": "https://school.example"}, ["E028"]),
        ({"PRODREADY_OTP_WEBAUTHN_RP_ID": "school.example:443"}, ["E028"]),
        (
            {
                "PRODREADY_OTP_WEBAUTHN_RP_ID": "school.example",
                "ALLOWED_HOSTS": ["www.school.example"],
                "PRODREADY_OTP_PASSKEY_SIGN_IN": True,
            },
            [],
        ),
        ({"PRODREADY_OTP_WEBAUTHN_RP_ID": "school.example", "ALLOWED_HOSTS": ["*"]}, []),
        (
            {
                "PRODREADY_OTP_WEBAUTHN_RP_ID": "school.example",
                "ALLOWED_HOSTS": [".school.example"],
                "PRODREADY_OTP_WEBAUTHN_ORIGINS": [
                    "https://school.example",
                    "https://app.school.example:8443",
                    "http://school.example",
                    "https://evil.example",
                ],
            },
            ["E029", "E029"],
        ),
        (
            {
                "PRODREADY_OTP_WEBAUTHN_RP_ID": "localhost",
                "ALLOWED_HOSTS": ["localhost"],
                "PRODREADY_OTP_WEBAUTHN_ORIGINS": ["http://localhost:8000"],
            },
            [],
        ),
    ],
)
def test_bad_settings(overrides: dict[str, Any], expected: list[str]) -> None:
    overrides = dict(overrides)
    middleware = list(settings.MIDDLEWARE)
    shapes = {
        "no otp middleware": [*without(middleware, OTP), ENFORCEMENT],
        "otp middleware after enforcement": [*without(middleware, OTP), ENFORCEMENT, OTP],
        "otp middleware before auth": [OTP, *without(middleware, OTP), ENFORCEMENT],
        "verified-device middleware instead": [
            VERIFIED if entry == OTP else entry for entry in [*middleware, ENFORCEMENT]
        ],
        "verified-device middleware after enforcement": [
            *without(middleware, OTP),
            ENFORCEMENT,
            VERIFIED,
        ],
    }
    if overrides.pop("enforced", False):
        overrides["MIDDLEWARE"] = enforcing_middleware()
    if isinstance(overrides.get("MIDDLEWARE"), str):
        overrides["MIDDLEWARE"] = shapes[overrides["MIDDLEWARE"]]
    assert otp_check_ids(**overrides) == [f"prodready_security.{id_}" for id_ in expected]


def test_a_bad_key_is_named_by_position_never_by_value() -> None:
    secret_looking = "s3cr3t-value-that-must-not-be-logged"
    with override_settings(PRODREADY_OTP_ENCRYPTION_KEYS=[secret_looking]):
        messages = [m for m in checks.run_checks() if m.id == "prodready_security.E021"]
    assert len(messages) == 1
    assert "PRODREADY_OTP_ENCRYPTION_KEYS[0]" in messages[0].msg
    assert secret_looking not in f"{messages[0].msg} {messages[0].hint}"


def test_a_wrongly_typed_setting_is_cores_error() -> None:
    with override_settings(PRODREADY_OTP_REQUIRED_FOR=["admins"]):
        ids = [m.id for m in checks.run_checks()]
    assert "prodready.E002" in ids
