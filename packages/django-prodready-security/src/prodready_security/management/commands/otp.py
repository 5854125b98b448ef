"""``manage.py otp <subcommand>``: operate two-factor authentication.

- ``generate-key``  print a new key for ``PRODREADY_OTP_ENCRYPTION_KEYS``
- ``reencrypt``     re-encrypt every TOTP secret with the newest (first) key
- ``reset USERNAME`` remove a user's 2FA, when they lost both phone and backup codes
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from prodready_security.otp import crypto, devices, rekey
from prodready_security.otp.events import record

ROTATION_STEPS = (
    "To rotate: put the new key first in PRODREADY_OTP_ENCRYPTION_KEYS, keep the old ones "
    "after it, deploy, run `manage.py otp reencrypt`, then remove the old keys."
)


class Command(BaseCommand):
    help = "Operate two-factor authentication: make keys, re-encrypt secrets, reset a user."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        sub.add_parser("generate-key", help="Print a new encryption key.")
        reencrypt = sub.add_parser(
            "reencrypt", help="Re-encrypt every TOTP secret with the newest key."
        )
        reencrypt.add_argument(
            "--dry-run", action="store_true", help="Report what would change, change nothing."
        )
        reset = sub.add_parser("reset", help="Remove a user's authenticator and backup codes.")
        reset.add_argument("username")

    def execute(self, *args: Any, **options: Any) -> str | None:
        if options.get("subcommand") == "generate-key":
            # The key is the fix for prodready_security.E020 and E021, which would
            # otherwise stop the command that makes it.
            options["skip_checks"] = True
        return super().execute(*args, **options)

    def handle(self, *args: Any, **options: Any) -> None:
        handlers: dict[str, Callable[..., None]] = {
            "generate-key": self.generate_key,
            "reencrypt": self.reencrypt,
            "reset": self.reset,
        }
        handlers[options["subcommand"]](**options)

    def generate_key(self, **options: Any) -> None:
        self.stdout.write(crypto.generate_key())
        self.stderr.write(ROTATION_STEPS)

    def reencrypt(self, *, dry_run: bool, **options: Any) -> None:
        try:
            report = rekey.reencrypt_all(dry_run=dry_run)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        except rekey.UnreadableSecrets as exc:
            raise CommandError(
                f"{exc} Nothing was changed: put the key that encrypted them back in the "
                "setting (anywhere after the first) and run this again."
            ) from None
        verb = "Would re-encrypt" if dry_run else "Re-encrypted"
        self.stdout.write(
            f"{verb} {report.reencrypted} TOTP secret(s) with the newest key; "
            f"{report.already_current} already used it. Backup codes are hashed, "
            "not encrypted, so they need no re-encryption."
        )

    def reset(self, *, username: str, **options: Any) -> None:
        user_model = get_user_model()
        try:
            user = user_model.objects.get_by_natural_key(username)
        except user_model.DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        if not devices.is_enrolled(user) and not devices.backup_code_device(user):
            self.stdout.write(f"{username} has no two-factor devices; nothing to do.")
            return
        devices.disable(user)
        record("otp.disabled", None, user, by_operator=True, by="manage.py otp reset")
        self.stdout.write(
            f"Removed the two-factor devices of {username}; they set up 2FA again at their "
            "next sign-in if their account requires it."
        )
