"""``manage.py lockout <subcommand>``: who cannot sign in now, and letting them.

- ``list [--format json]``                 lockouts and slowed usernames in force
- ``unlock [USERNAME] [--address ADDRESS]``  end them (an audit event each)
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from prodready_security.ratelimit import lockouts
from prodready_security.ratelimit.types import StoreUnavailable


class Command(BaseCommand):
    help = "List the sign-in lockouts in force, or end them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        listing = sub.add_parser("list", help="Lockouts and slowed usernames in force.")
        listing.add_argument("--format", choices=("text", "json"), default="text")
        unlock = sub.add_parser("unlock", help="End the lockouts of a username or address.")
        unlock.add_argument("username", nargs="?", help="The username, as typed at sign-in.")
        unlock.add_argument("--address", help="The client address (IPv4, or IPv6 /64).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["subcommand"] == "list":
                self._list(options["format"])
            else:
                self._unlock(options["username"], options["address"])
        except StoreUnavailable as exc:
            raise CommandError(
                f"The rate-limit cache (PRODREADY_RATELIMIT_CACHE) cannot be reached: {exc}"
            ) from exc

    def _list(self, output: str) -> None:
        found = lockouts.in_force()
        if output == "json":
            rows = [asdict(lockout) | {"seconds_left": lockout.seconds_left} for lockout in found]
            self.stdout.write(json.dumps(rows, indent=2))
            return
        if not found:
            self.stdout.write("No sign-in is locked out or slowed.")
            return
        for lockout in found:
            who = " at ".join(filter(None, [lockout.username, lockout.address]))
            what = "slowed" if lockout.scope == "username" else f"locked (#{lockout.level})"
            self.stdout.write(
                f"{who}: {what} by {lockout.scope}, {lockout.seconds_left:.0f} s left"
            )

    def _unlock(self, username: str | None, address: str | None) -> None:
        if username is None and address is None:
            raise CommandError("Name a USERNAME, an --address, or both.")
        ended = lockouts.unlock(username, address)
        if not ended:
            raise CommandError(
                "No lockout in force matches; `manage.py lockout list` shows those that are."
            )
        self.stdout.write(self.style.SUCCESS(f"Ended {len(ended)} lockout(s)."))
