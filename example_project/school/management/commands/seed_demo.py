"""Fill a development database with a realistic demo school, for ``dev.py demo``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from school import demo_data


class Command(BaseCommand):
    help = (
        "Create demo tutors, students, rooms, eight weeks of past lessons and two ahead "
        "with attendance, and past months' invoices, on top of seed_production's reference "
        "data. Demo users' usernames start with 'demo-' and demo students' email addresses "
        "end with '@demo.invalid'. Development settings only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            help="Seed of the random choices: the same seed gives the same school on the "
            "same day. Default: %(default)s.",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo rows made by an earlier run first (and nothing else).",
        )
        parser.add_argument(
            "--keep-existing",
            action="store_true",
            help="If demo data exists already, leave it as it is and exit successfully "
            "(instead of refusing). For scripts such as `dev.py demo`.",
        )

    def handle(
        self, *args: Any, seed: int, reset: bool, keep_existing: bool, **options: Any
    ) -> None:
        # Made-up people and money must never land in a production database.
        if not getattr(settings, "SCHOOL_DEMO_USER_ALLOWED", False):
            raise CommandError(
                "seed_demo fills the database with made-up people, lessons and invoices, "
                "so it only runs with development settings (SCHOOL_DEMO_USER_ALLOWED = True). "
                f"These settings ({settings.SETTINGS_MODULE}) do not allow it."
            )
        if reset and keep_existing:
            raise CommandError("--reset and --keep-existing contradict each other.")
        with transaction.atomic():
            if reset:
                deleted = demo_data.reset()
                self.stdout.write(
                    "Deleted the earlier demo rows: "
                    + ", ".join(f"{n} {what}" for what, n in deleted.items())
                    + "."
                )
            elif demo_data.exists():
                if keep_existing:
                    self.stdout.write(
                        "Demo data exists already; left unchanged "
                        "(`manage.py seed_demo --reset` replaces it)."
                    )
                    return
                raise CommandError(
                    "Demo data exists already (users named 'demo-...', students with "
                    "'@demo.invalid' addresses); nothing was changed. Run "
                    "`manage.py seed_demo --reset` to replace it."
                )
            created = demo_data.seed(seed)
        self.stdout.write(
            self.style.SUCCESS(
                "Demo school created: "
                + ", ".join(f"{n} {what}" for what, n in created.items())
                + f" (seed {seed})."
            )
        )
        self.stdout.write(
            "Demo tutors and students have no usable password: log in as the demo staff "
            "user (manage.py demo_user) and look around, or set one in the admin."
        )
