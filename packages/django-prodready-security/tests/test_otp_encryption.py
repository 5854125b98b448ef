"""Secrets are encrypted at rest, keys rotate, and ``manage.py otp`` re-encrypts them."""

from __future__ import annotations

import hashlib
from io import StringIO
from typing import Any

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import CommandError, call_command
from django.core.management.base import SystemCheckError
from django.db import connection
from django.test import override_settings

from prodready.events import AuditEvent
from prodready_security.otp import backup_codes, devices, qr
from prodready_security.otp.models import EncryptedTOTPDevice
from tests.otp_support import enrol, fresh_code, make_user

pytestmark = pytest.mark.django_db

OLD = "5fcKCZtEh7xF1u15WBvoikdJ2mOvWu7HAU3Cg27zTUY="  # the test settings' key
NEW = "HHdjZOswOPYXQKUmhE0-k-n34SXdVxRKcdv-ShaXRhs="
OTHER = Fernet.generate_key().decode()


def raw_row(table: str, pk: int) -> tuple[Any, ...]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])
        row = cursor.fetchone()
    assert row is not None
    return tuple(row)


def raw_key(device: EncryptedTOTPDevice) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT encrypted_key FROM {EncryptedTOTPDevice._meta.db_table} WHERE id = %s",
            [device.pk],
        )
        return str(cursor.fetchone()[0])


def reencrypt(*args: str) -> str:
    out = StringIO()
    call_command("otp", "reencrypt", *args, stdout=out)
    return out.getvalue()


def test_the_secret_is_not_in_the_database_in_any_readable_form() -> None:
    device, _codes = enrol(make_user("ada"))
    secret = device.secret
    row = " ".join(str(value) for value in raw_row(EncryptedTOTPDevice._meta.db_table, device.pk))
    for form in (secret.hex(), secret.hex().upper(), qr.base32_key(secret)):
        assert form not in row
    assert Fernet(OLD).decrypt(raw_key(device).encode()) == secret


def test_backup_codes_are_stored_as_hashes_only() -> None:
    user = make_user("ada")
    _device, codes = enrol(user)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM prodready_security_backupcode")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    for code in codes:
        assert code not in stored
        assert backup_codes.normalize(code) not in stored
        expected = hashlib.sha256(
            b"prodready-otp-backup-code:" + backup_codes.normalize(code).encode()
        ).hexdigest()
        assert expected in stored


def test_every_listed_key_decrypts_and_the_first_encrypts() -> None:
    device, _codes = enrol(make_user("ada"))
    secret = device.secret
    with override_settings(PRODREADY_OTP_ENCRYPTION_KEYS=[NEW, OLD]):
        assert EncryptedTOTPDevice.objects.get().secret == secret
        newer, _ = enrol(make_user("bob"))
        assert Fernet(NEW).decrypt(raw_key(newer).encode()) == newer.secret
    with override_settings(PRODREADY_OTP_ENCRYPTION_KEYS=[NEW]), pytest.raises(InvalidToken):
        _ = EncryptedTOTPDevice.objects.get(pk=device.pk).secret


def test_reencrypt_moves_every_secret_to_the_newest_key() -> None:
    user = make_user("ada")
    device, _codes = enrol(user)
    secret = device.secret
    with override_settings(PRODREADY_OTP_ENCRYPTION_KEYS=[NEW, OLD]):
        assert "Would re-encrypt 1 TOTP secret(s)" in reencrypt("--dry-run")
        assert Fernet(OLD).decrypt(raw_key(device).encode()) == secret

        assert "Re-encrypted 1 TOTP secret(s) with the newest key; 0 already" in reencrypt()
        assert "Re-encrypted 0 TOTP secret(s) with the newest key; 1 already" in reencrypt()
    with pytest.raises(InvalidToken):
        Fernet(OLD).decrypt(raw_key(device).encode())
    with override_settings(PRODREADY_OTP_ENCRYPTION_KEYS=[NEW]):
        assert devices.check_code(user, fresh_code(device)).ok, "the old key can go now"


def test_reencrypt_changes_nothing_when_a_secret_cannot_be_read() -> None:
    readable, _ = enrol(make_user("ada"))
    with override_settings(PRODREADY_OTP_ENCRYPTION_KEYS=[NEW]):
        lost, _ = enrol(make_user("bob"))
    before = raw_key(readable)
    with (
        override_settings(PRODREADY_OTP_ENCRYPTION_KEYS=[OTHER, OLD]),
        pytest.raises(CommandError, match=rf"device ids: {lost.pk}\).*Nothing was changed"),
    ):
        reencrypt()
    assert raw_key(readable) == before


@pytest.mark.parametrize("keys", [[], ["not-a-key"]])
def test_reencrypt_without_usable_keys_is_a_clear_error(keys: list[str]) -> None:
    enrol(make_user("ada"))
    with (
        override_settings(PRODREADY_OTP_ENCRYPTION_KEYS=keys),
        pytest.raises(CommandError, match="PRODREADY_OTP_ENCRYPTION_KEYS"),
    ):
        reencrypt()


def test_generate_key_prints_a_fernet_key() -> None:
    out, err = StringIO(), StringIO()
    call_command("otp", "generate-key", stdout=out, stderr=err)
    Fernet(out.getvalue().strip())  # raises if it is not a key
    assert "reencrypt" in err.getvalue()


@override_settings(
    PRODREADY_OTP_ENCRYPTION_KEYS=[],
    MIDDLEWARE=[
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django_otp.middleware.OTPMiddleware",
        "prodready_security.otp.middleware.OTPEnforcementMiddleware",
    ],
)
def test_generate_key_runs_while_the_missing_key_stops_other_commands() -> None:
    # prodready_security.E020 tells people to run generate-key: it must not stop it.
    out = StringIO()
    call_command("otp", "generate-key", skip_checks=False, stdout=out, stderr=StringIO())
    Fernet(out.getvalue().strip())
    with pytest.raises(SystemCheckError, match=r"prodready_security\.E020"):
        call_command("otp", "reset", "nobody", skip_checks=False)


def test_reset_removes_a_users_2fa_and_is_audited(audit_events: list[AuditEvent]) -> None:
    user = make_user("ada")
    enrol(user)
    out = StringIO()
    call_command("otp", "reset", "ada", stdout=out)
    assert not devices.is_enrolled(user)
    assert devices.backup_code_device(user) is None
    assert [(e.action, e.actor, e.target) for e in audit_events] == [("otp.disabled", None, user)]


def test_reset_of_an_unknown_user_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("otp", "reset", "nobody")
