"""``manage.py audit <subcommand>``: check, seal and prune the audit log.

- ``verify``                 walk the hash chain; exit non-zero at the first broken link,
                             or when events stay unsealed longer than they should
- ``seal``                   link committed, unsealed events into the chain now
- ``prune --before DATE``    remove older events, on record, and re-anchor the chain
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from prodready_security.audit.prune import ChainBroken, prune_before
from prodready_security.audit.sealing import overdue, seal_pending
from prodready_security.audit.verify import verify_chain
from prodready_security.conf import conf


class Command(BaseCommand):
    help = "Verify the audit log's hash chain, seal pending events, or prune old events."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        verify = sub.add_parser("verify", help="Check every event's hash and link, oldest first.")
        seal = sub.add_parser("seal", help="Link committed, unsealed events into the chain.")
        prune = sub.add_parser("prune", help="Remove events that occurred before a date.")
        for subparser in (verify, seal, prune):
            subparser.add_argument(
                "--database",
                help="Alias of the database holding the log (default: PRODREADY_AUDIT_DATABASE).",
            )
        prune.add_argument(
            "--before",
            required=True,
            help="Cut-off: YYYY-MM-DD (midnight, current time zone) or an ISO 8601 date-time.",
        )
        prune.add_argument(
            "--dry-run", action="store_true", help="Say what would be removed; remove nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        using = options.get("database") or conf.AUDIT_DATABASE
        if using not in connections:
            raise CommandError(f"--database {using!r} is not an alias in DATABASES.")
        if options["subcommand"] == "verify":
            self.verify(using)
        elif options["subcommand"] == "seal":
            count = seal_pending(using)
            self.stdout.write(f"Sealed {count} audit events.")
        else:
            self.prune(using, _parse_cut_off(options["before"]), options["dry_run"])

    def verify(self, using: str) -> None:
        result = verify_chain(using)
        if result.problem is not None:
            raise CommandError(
                f"Audit chain broken at {result.problem}. {result.checked} events before "
                "it verified. Nothing was changed; investigate before pruning."
            )
        late, oldest = overdue(using, conf.AUDIT_SEAL_MAX_DELAY)
        if oldest is not None:
            raise CommandError(
                f"{late} audit events are unsealed for more than {conf.AUDIT_SEAL_MAX_DELAY:g} s "
                f"(oldest: id {oldest.pk}, {oldest.action} at "
                f"{oldest.occurred_at:%Y-%m-%d %H:%M:%S}); sealing is not running. Check that "
                "Celery beat runs "
                "prodready_security.audit_seal, and run `manage.py audit seal`."
            )
        if not result.checked:
            self.stdout.write("Audit chain intact: no events.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain intact: {result.checked} events "
                f"(#{result.first_sequence} to #{result.last_sequence}) verified."
            )
        )

    def prune(self, using: str, before: datetime.datetime, dry_run: bool) -> None:
        try:
            result = prune_before(before, using, dry_run=dry_run)
        except ChainBroken as exc:
            raise CommandError(
                f"Audit chain broken at {exc.problem}. Nothing was pruned: pruning would "
                "destroy the evidence. Run `manage.py audit verify` and investigate."
            ) from exc
        if not result.count:
            self.stdout.write(f"No audit events before {before.isoformat()}; nothing pruned.")
            return
        span = f"#{result.first_sequence} to #{result.last_sequence}"
        if dry_run:
            self.stdout.write(f"Would prune {result.count} audit events ({span}).")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Pruned {result.count} audit events ({span}) before {before.isoformat()}; "
                f"the chain now starts after #{result.last_sequence}, recorded as audit.pruned."
            )
        )


def _parse_cut_off(value: str) -> datetime.datetime:
    parsed: datetime.datetime | None
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            parsed = datetime.datetime.combine(day, datetime.time()) if day else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise CommandError(
            f"--before {value!r} is not a date; use YYYY-MM-DD or an ISO 8601 date-time "
            "such as 2024-01-31T00:00:00+00:00."
        )
    if timezone.is_naive(parsed) and timezone.is_aware(timezone.now()):
        parsed = timezone.make_aware(parsed)
    if parsed > timezone.now():
        raise CommandError(f"--before {value!r} is in the future; it would prune every event.")
    return parsed
