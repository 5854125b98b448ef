"""Create or reset the demo staff user and print its login, for ``dev.py demo``."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse


class Command(BaseCommand):
    help = (
        "Create the demo staff user (or reset its password) and print its username and "
        "a freshly generated password. Development settings only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="demo", help="Default: demo.")
        parser.add_argument(
            "--site-url",
            default="http://127.0.0.1:8000",
            help="Where the site runs, for the printed links. Default: %(default)s.",
        )

    def handle(self, *args: Any, username: str, site_url: str, **options: Any) -> None:
        # A superuser whose password lands in a terminal log must never reach production.
        if not getattr(settings, "SCHOOL_DEMO_USER_ALLOWED", False):
            raise CommandError(
                "demo_user creates a superuser and prints its password, so it only runs "
                "with development settings (SCHOOL_DEMO_USER_ALLOWED = True). "
                f"These settings ({settings.SETTINGS_MODULE}) do not allow it."
            )
        if not username.strip():
            raise CommandError("--username must not be empty.")
        password = secrets.token_urlsafe(12)
        user_model = get_user_model()
        lookup: dict[str, Any] = {user_model.USERNAME_FIELD: username}
        user, created = user_model._default_manager.get_or_create(**lookup)
        user.is_active = user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()

        site_url = site_url.rstrip("/")
        self.stdout.write(
            self.style.SUCCESS(f"Demo staff user {'created' if created else 'reset'}.")
        )
        self.stdout.write(f"  Username:  {username}")
        self.stdout.write(f"  Password:  {password}")
        self.stdout.write(f"  Log in:    {site_url}{reverse('login')}")
        self.stdout.write(f"  Dashboard: {site_url}{reverse('prodready:dashboard')}")
        self.stdout.write(
            "Staff set up two-factor authentication at their first login: "
            "have an authenticator app ready (or type the key it shows by hand)."
        )
