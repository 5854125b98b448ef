"""Create what a new school needs before anyone can use the site: reference data and an admin.

Safe to run again: existing rows are kept, and an existing admin is left alone.
"""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from school.models import Level, Room, Subject

PASSWORD_VARIABLE = "SCHOOL_ADMIN_PASSWORD"
SUBJECTS = {
    "Mathematics": "#2563eb",
    "English": "#db2777",
    "Physics": "#7c3aed",
    "Chemistry": "#059669",
    "Biology": "#65a30d",
    "History": "#b45309",
}
LEVELS = ["Primary", "Lower secondary", "GCSE", "A-level", "University"]
VIRTUAL_ROOM = "Online"


class Command(BaseCommand):
    help = (
        "Create the subjects, levels and the virtual room, and an admin user. The admin's "
        f"password is read from ${PASSWORD_VARIABLE}, or generated and printed once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--admin-username", default="admin", help="Default: admin.")
        parser.add_argument("--admin-email", default="", help="The admin's email address.")

    def handle(self, *args: Any, admin_username: str, admin_email: str, **options: Any) -> None:
        if not admin_username.strip():
            raise CommandError("--admin-username must not be empty.")
        user_model = get_user_model()
        admin_exists = user_model._default_manager.filter(
            **{user_model.USERNAME_FIELD: admin_username}
        ).exists()
        password, generated = None, False
        if not admin_exists:
            password, generated = self.admin_password(user_model(username=admin_username))

        with transaction.atomic():
            created = self.seed_reference_data()
            if password is not None:
                user_model._default_manager.create_superuser(
                    admin_username, email=admin_email, password=password
                )

        self.stdout.write(f"Reference data: {created} row(s) created.")
        if admin_exists:
            self.stdout.write(f"Admin {admin_username!r} exists already; left unchanged.")
        elif generated:
            self.stdout.write(self.style.SUCCESS(f"Admin {admin_username!r} created."))
            self.stdout.write(f"  Password: {password}")
            self.stdout.write(
                "  It is shown this once: store it in your password manager now. "
                "The admin sets up two-factor authentication at first login."
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Admin {admin_username!r} created with the password from "
                    f"${PASSWORD_VARIABLE}."
                )
            )

    def admin_password(self, user: Any) -> tuple[str, bool]:
        """The password from the environment (validated), or a generated one."""
        password = os.environ.get(PASSWORD_VARIABLE, "")
        if not password:
            return secrets.token_urlsafe(18), True
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(
                f"${PASSWORD_VARIABLE} is not an acceptable password: "
                f"{' '.join(error.messages)} Set a stronger one, or unset it to have one "
                "generated."
            ) from None
        return password, False

    def seed_reference_data(self) -> int:
        created = 0
        for name, colour in SUBJECTS.items():
            created += Subject.objects.get_or_create(name=name, defaults={"colour": colour})[1]
        for order, name in enumerate(LEVELS):
            created += Level.objects.get_or_create(name=name, defaults={"order": order})[1]
        created += Room.objects.get_or_create(
            name=VIRTUAL_ROOM, defaults={"is_virtual": True, "capacity": 30}
        )[1]
        return created
